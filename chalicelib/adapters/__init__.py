"""Adapters: each hides one AWS service behind a small class that receives its boto3 client."""
