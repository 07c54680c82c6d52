"""Report writers as a third-party plugin writes them (docs/plugins/hooks.md): one with only
the documented minimum, one that asks for the output path and puts a file beside its report,
and a binary one. None of them needs openpyxl, DuckDB or a real assessment."""

from audit import hookimpl


class MinimalWriter:
    id = "fake"
    description = "the least a writer has"
    extensions = (".fake",)
    binary = False

    def write(self, assessment, stream):  # no output parameter: it never asked for one
        stream.write(f"verdict {assessment.verdict}\n")


class SiblingWriter:
    id = "fake-siblings"
    description = "names its report's path and writes a notes file beside it"
    extensions = (".fake.txt",)
    binary = False
    wants_output_path = True

    def write(self, assessment, stream, output=None):
        stream.write(f"report at {output.name if output else '-'}; see notes\n")

    def siblings(self, assessment, output):
        def render(fh):
            fh.write(f"notes for {assessment.verdict}\n")

        return [(output.with_name(output.stem + ".notes.txt"), render)]


class BinaryWriter:
    id = "fake-bin"
    description = "bytes only"
    extensions = (".fakebin",)
    binary = True

    def write(self, assessment, stream):
        stream.write(b"\x00fake")


@hookimpl
def audit_register_writers(registry):
    for writer in (MinimalWriter(), SiblingWriter(), BinaryWriter()):
        registry.add_writer(writer)
