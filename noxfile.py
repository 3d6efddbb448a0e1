"""Development sessions: ``nox -s tests lint typecheck docs`` (and ``spark``, which needs
Java)."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True


@nox.session(python=["3.10", "3.11", "3.12", "3.13"])
def tests(session: nox.Session) -> None:
    """The whole test suite, doctests included, on every supported Python found."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def spark(session: nox.Session) -> None:
    """The Spark tests in local mode (the spark extra; Java 17 or later must be installed)."""
    session.install("-e", ".[test,spark]")
    session.run("python", "-m", "pytest", "-m", "spark", "tests/test_spark.py", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "benchmarks", "fuzz", "noxfile.py", "docs")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package and the tests."""
    session.install("-e", ".[lint]")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """The Sphinx site, warnings as errors."""
    session.install("-e", ".[docs]")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")
