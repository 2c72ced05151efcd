"""Prints the schemathesis figures (requests, server errors, time) at the end of the run."""


def pytest_terminal_summary(terminalreporter):
    lines = [
        value
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        for name, value in getattr(report, "user_properties", [])
        if name == "fuzz_summary"
    ]
    if lines:
        terminalreporter.section("OpenAPI fuzzing")
        for line in lines:
            terminalreporter.write_line(line)
