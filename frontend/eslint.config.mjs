// Lint for the staff pages' JavaScript (`make lint`): ESLint's recommended rules plus the few that
// catch what reviews kept finding (loose equality, unused code, variables reassigned by accident).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["src/**/*.js", "build.mjs", "eslint.config.mjs"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      eqeqeq: ["error", "always"],
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "prefer-const": "error",
      "no-var": "error",
      "no-implicit-globals": "error",
      "no-eval": "error",
      "no-new-func": "error",
    },
  },
  {
    // A service worker's globals (self.registration, clients), not a window's.
    files: ["src/sergeant-sw.js"],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ["build.mjs", "eslint.config.mjs"],
    languageOptions: { globals: { ...globals.node } },
  },
];
