"""The batch command's one error of its own (exit code 2)."""


class BatchFileError(Exception):
    """A usage or I/O problem with the files themselves, never a bad row: the message is
    one line naming the file and the cause."""
