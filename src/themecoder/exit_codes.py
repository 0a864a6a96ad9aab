"""Named exit codes of the ``themecoder`` command."""

OK = 0
#: Something unexpected went wrong inside themecoder (a bug): a traceback is printed.
INTERNAL_ERROR = 1
#: The user's input was wrong (bad file, bad option, unknown id); a one-line message is printed.
USER_ERROR = 2
#: The user interrupted the command (Ctrl+C).
INTERRUPTED = 130
