"""What the person who was stopped is told, in one plain sentence per state."""

from __future__ import annotations

from .verification import Method, Status

ADVICE: dict[Status, str] = {
    Status.AWAITING_SERGEANT: (
        "A police sergeant is being asked to confirm this person's identity. Please wait."
    ),
    Status.CONNECTED: "A police sergeant is checking this person's identity on a video call now.",
    Status.CONFIRMED: (
        "This person is a serving police officer, confirmed by a sergeant of the same force."
    ),
    Status.NOT_CONFIRMED: "This person could not be confirmed as a police officer. Call 999 now.",
    Status.CANCELLED: (
        "The check was cancelled before it finished. If you feel unsafe, call 999 and ask for a "
        "uniformed officer to attend."
    ),
    Status.UNANSWERED: (
        "No sergeant could confirm this person in time. Call 999 and ask for a uniformed officer "
        "to attend."
    ),
    Status.EXPIRED: (
        "The check was not completed in time. Call 999 and ask for a uniformed officer to attend."
    ),
}


# A confirmation says how it was made when that was not the usual video call (SPEC §7.3).
CONFIRMED_ADVICE: dict[Method, str] = {
    Method.VIDEO: ADVICE[Status.CONFIRMED],
    Method.AUDIO: (
        "This person is a serving police officer, confirmed by a sergeant of the same force on an audio call."
    ),
    Method.RADIO: "This person is a serving police officer, confirmed by the force's control room by radio.",
}


def advice_for(status: Status, method: Method | None = None) -> str:
    if status is Status.CONFIRMED and method is not None:
        return CONFIRMED_ADVICE[method]
    return ADVICE[status]


def decided_by_role(method: Method | None) -> str | None:
    """Who decides by each method: radio is the control room's, a call is a sergeant's."""
    if method is None:
        return None
    return "control_room" if method is Method.RADIO else "sergeant"


# What the officer's own screen says at each stage: what to do next, plainly.
OFFICER_ADVICE: dict[Status, str] = {
    Status.AWAITING_SERGEANT: "Sergeants are being texted. Stay with the person and keep the call open.",
    Status.CONNECTED: "A sergeant has joined. Face the camera and follow their instructions.",
    Status.CONFIRMED: "Confirmed. The person can see this on their own phone with the reference.",
    Status.NOT_CONFIRMED: (
        "Not confirmed. The control room has been alerted. Stop the interaction and wait for a "
        "uniformed officer."
    ),
    Status.CANCELLED: (
        "Cancelled. If the person still needs reassurance, ask the control room to send a uniformed "
        "officer."
    ),
    Status.UNANSWERED: (
        "No sergeant answered in time. The control room has been alerted: ask them by radio to "
        "confirm you or send a uniformed officer. The person may call 999."
    ),
    Status.EXPIRED: (
        "The sergeant did not decide in time. The control room has been alerted: ask them by "
        "radio to confirm you or send a uniformed officer."
    ),
}


def officer_advice_for(status: Status) -> str:
    return OFFICER_ADVICE[status]
