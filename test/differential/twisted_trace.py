"""
Trace helpers shared by the Twisted side of the differential scenarios (see twisted_scenarios.py).
fmt() mirrors fmt() in trace.ts: both must render the same value to the same string.
"""

from twisted.internet import defer, task
from twisted.python.failure import Failure


class Boom(Exception):
    """The scenarios' own error: its message is part of the trace."""


def fmt_exc(e):
    name = type(e).__name__
    if isinstance(e, Boom):
        return name + ":" + str(e)
    if isinstance(e, defer.FirstError):
        return name + "(" + str(e.index) + ", " + fmt(e.subFailure) + ")"
    return name


def fmt(v):
    """A language-neutral rendering of a value; mirrored by fmt() in trace.ts."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, Failure):
        return "Failure(" + fmt_exc(v.value) + ")"
    if isinstance(v, BaseException):
        return fmt_exc(v)
    if isinstance(v, defer.Deferred):
        return "Deferred"
    if isinstance(v, task.LoopingCall):
        return "LoopingCall"
    return type(v).__name__


def tracer(t, label):
    """A callback/errback that records what it sees and passes it on."""

    def f(r):
        t.append(label + " " + fmt(r))
        return r

    return f


def catcher(t, label):
    """An errback/both that records what it sees and swallows it (returns None)."""

    def f(r):
        t.append(label + " " + fmt(r))

    return f


def attempt(t, label, f, *args):
    """Calls f(*args), recording 'label ok' or 'label raised <Error>'."""
    try:
        f(*args)
        t.append(label + " ok")
    except BaseException as e:
        t.append(label + " raised " + fmt_exc(e))


SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__] = f
    return f
