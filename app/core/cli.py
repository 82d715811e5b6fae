"""Command line helpers: a clear one-line message and exit 2 on bad input, never a traceback."""
from __future__ import annotations

import click


class UsageError(click.ClickException):
    exit_code = 2

    def show(self, file=None):
        click.echo(f"Error: {self.format_message()}", err=True)


def register(app) -> None:
    from flask.cli import AppGroup

    demo_cli = AppGroup("demo", help="Demo data.")
    scheduler_cli = AppGroup("scheduler", help="The one scheduler process.")

    @demo_cli.command("load")
    @click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 10_000),
                  help="Multiply the demo world, for benchmarks.")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has accounts already.")
    @click.option("--logins-file", type=click.Path(dir_okay=False), default=None,
                  help="Also write the demo logins to this file.")
    def demo_load(scale, if_empty, logins_file):
        """Load a believable demo world (accounts, training, coaching, exchanges, municipalities)."""
        import time

        from app.auth.services import count_users
        from app.core.demo import load_demo

        if count_users():
            if if_empty:
                click.echo("The database has data already: demo data not loaded.")
                return
            raise UsageError("The database is not empty; demo data goes into an empty database only.")
        started = time.perf_counter()
        ctx = load_demo(scale)
        click.echo(f"Demo data loaded (scale {scale}) in {time.perf_counter() - started:.1f} s.")
        lines = [f"  {role:<12} {email:<40} {password}" for role, email, password in ctx.logins]
        click.echo("Demo logins (role, email, password):")
        click.echo("\n".join(lines))
        if logins_file:
            with open(logins_file, "w", encoding="utf-8") as handle:
                handle.write("Demo logins (role, email, password):\n" + "\n".join(lines) + "\n")

    @scheduler_cli.command("run")
    def scheduler_run():
        """Run the scheduler in the foreground (exactly one such process in production)."""
        from flask import current_app

        from app.core.scheduler import run_forever

        run_forever(current_app._get_current_object())

    @scheduler_cli.command("tick")
    @click.option("--job", "only", multiple=True, help="Run only this job (repeatable).")
    def scheduler_tick(only):
        """Run every due job once and exit (cron, tests); exit 1 when a job failed."""
        from flask import current_app

        from app.core.scheduler import JobFailed, jobs, tick

        app = current_app._get_current_object()
        unknown = set(only) - {job.name for job in jobs(app)}
        if unknown:
            raise UsageError(f"unknown job: {', '.join(sorted(unknown))}")
        results = tick(app, list(only) or None)
        for name, result in results.items():
            click.echo(f"{name}: {result}")
        if any(isinstance(result, JobFailed) for result in results.values()):
            raise SystemExit(1)

    @scheduler_cli.command("jobs")
    def scheduler_jobs():
        """List the scheduled jobs and their intervals."""
        from flask import current_app

        from app.core.scheduler import jobs

        for job in jobs(current_app._get_current_object()):
            click.echo(f"{job.name}: every {job.minutes:g} min")

    app.cli.add_command(demo_cli)
    app.cli.add_command(scheduler_cli)
