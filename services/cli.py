"""`incident-bot` command line: run, serve one service, run the distributed set, migrate."""
from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()  # must precede every other import

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from services.common.config import ConfigError, load_config  # noqa: E402
from services.common.logs import configure_logging  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="incident-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="`run all` (the default): every service in one "
                                          "process (in-memory bus, SQLite unless AMQP_URI / "
                                          "DATABASE_URL say otherwise); `run <service>`: one "
                                          "service over RabbitMQ, as deployed")
    run.add_argument("service", nargs="?", default="all",
                     choices=("all", "incidents", "slack_gateway", "scheduler", "web", "zoom",
                              "pagerduty", "statuspage", "confluence"))
    serve = commands.add_parser("serve", help="one service over RabbitMQ, as deployed")
    serve.add_argument("service", choices=("incidents", "slack_gateway", "scheduler", "web",
                                           "zoom", "pagerduty", "statuspage", "confluence"))
    commands.add_parser("distributed", help="each service as its own process over RabbitMQ "
                                            "and PostgreSQL (after migrating)")
    commands.add_parser("migrate", help="apply database migrations (DATABASE_URL)")
    admin = commands.add_parser("create-admin", help="create a web admin account (DATABASE_URL); "
                                                     "the password is asked for, or read from "
                                                     "standard input with --password-stdin")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name")
    admin.add_argument("--password-stdin", action="store_true")
    commands.add_parser("check-config", help="validate config.yaml and exit")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        if args.command == "check-config":
            load_config(os.environ.get("INCIDENTBOT_CONFIG"))
            print("config OK")
        elif args.command == "migrate":
            from services.incidents.migrate import upgrade
            from services.runner import DEFAULT_DATABASE_URL
            from services.web.migrate import upgrade as upgrade_web

            upgrade(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
            upgrade_web(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
        elif args.command == "create-admin":
            from services.web.cli import create_admin

            return create_admin(args.email, args.name, args.password_stdin)
        elif args.command == "run" and args.service == "all":
            from services.runner import run_embedded

            run_embedded()
        elif args.command == "run":
            from services.runner import serve as serve_one

            serve_one(args.service)
        elif args.command == "serve":
            from services.runner import serve as serve_one

            serve_one(args.service)
        elif args.command == "distributed":
            from services.procfile import run_distributed

            return run_distributed()
    except ConfigError as exc:
        print(f"incident-bot: invalid configuration: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
