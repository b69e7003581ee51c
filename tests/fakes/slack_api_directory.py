"""auth.test, team.info, users.*, usergroups.* and files.info methods of the Slack fake."""

from __future__ import annotations

import copy

from tests.fakes.slack_api_core import Call, SlackError, api_method, paginate

TEAM_NAME = "Fake Team"
TEAM_DOMAIN = "fake-team"


def _user_view(call: Call, user: dict) -> dict:
    """A user object as this token may see it: email only with users:read.email, as in Slack."""
    user = copy.deepcopy(user)
    if "users:read.email" not in call.scopes:
        user["profile"].pop("email", None)
    return user


@api_method("auth.test")
def auth_test(call: Call) -> dict:
    state = call.state
    return {"url": f"https://{TEAM_DOMAIN}.slack.com/", "team": TEAM_NAME,
            "user": state.users[state.bot_user_id]["name"], "team_id": state.team_id,
            "user_id": state.bot_user_id, "bot_id": state.bot_id, "is_enterprise_install": False}


@api_method("team.info", scope="team:read")
def team_info(call: Call) -> dict:
    return {"team": {"id": call.state.team_id, "name": TEAM_NAME, "domain": TEAM_DOMAIN,
                     "email_domain": "example.com", "url": f"https://{TEAM_DOMAIN}.slack.com/",
                     "icon": {"image_default": True,
                              "image_68": "https://avatars.example/team_68.png"},
                     "is_verified": False}}


@api_method("users.info", scope="users:read")
def users_info(call: Call) -> dict:
    return {"user": _user_view(call, call.state.user(call.get("user")))}


@api_method("users.list", scope="users:read")
def users_list(call: Call) -> dict:
    # Slack's default (limit 0) returns everyone in a small workspace: model that as 1000.
    page, cursor = paginate(list(call.state.users.values()), call, default_limit=1000)
    return {"members": [_user_view(call, u) for u in page], "cache_ts": 0,
            "response_metadata": {"next_cursor": cursor}}


@api_method("users.lookupByEmail", scope="users:read.email")
def users_lookup_by_email(call: Call) -> dict:
    email = str(call.get("email", "")).lower()
    for user in call.state.users.values():
        if email and user["profile"].get("email", "").lower() == email:
            return {"user": _user_view(call, user)}
    raise SlackError("users_not_found")


@api_method("usergroups.list", scope="usergroups:read")
def usergroups_list(call: Call) -> dict:
    groups = []
    for group in call.state.usergroups.values():
        if group["date_delete"] and not call.flag("include_disabled"):
            continue
        group = copy.deepcopy(group)
        if not call.flag("include_users"):
            group.pop("users")
        if not call.flag("include_count"):
            group.pop("user_count")
        groups.append(group)
    return {"usergroups": groups}


@api_method("usergroups.users.list", scope="usergroups:read")
def usergroups_users_list(call: Call) -> dict:
    group = call.state.usergroups.get(call.get("usergroup", ""))
    if group is None:
        raise SlackError("no_such_subteam")
    return {"users": list(group["users"])}


@api_method("files.info", scope="files:read")
def files_info(call: Call) -> dict:
    file = call.state.files.get(call.get("file", ""))
    if file is None:
        raise SlackError("file_not_found")
    return {"file": copy.deepcopy(file), "comments": [], "response_metadata": {"next_cursor": ""}}
