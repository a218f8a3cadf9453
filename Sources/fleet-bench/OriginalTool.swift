import FleetCore

/// The Python `cli-agent-runner` 0.3.14, installed from PyPI into a virtual environment under
/// `.build/bench-original` the first time a scenario compares against it.
enum OriginalTool {
    static let version = "0.3.14"

    /// Its `agent-runner` executable, installing it when needed; nil (with a note) when python3
    /// or PyPI is not available, or when FLEET_BENCH_NO_ORIGINAL is set.
    static func binary() -> String? {
        if ProcessEnvironment.current()["FLEET_BENCH_NO_ORIGINAL"] != nil { return nil }
        let venv = ProcessEnvironment.currentDirectory() + "/.build/bench-original"
        let path = venv + "/bin/agent-runner"
        if Directories.isExecutableFile(path) { return path }
        Bench.say("  (installing cli-agent-runner==\(version) into \(venv) for the side-by-side run)")
        let install = Bench.shell(
            "python3 -m venv '\(venv)' && '\(venv)/bin/pip' install -q cli-agent-runner==\(version)")
        guard install.exit == .terminated(0), Directories.isExecutableFile(path) else {
            Bench.say(
                "  (original not available: \(install.stderrText.split(separator: "\n").last ?? "install failed"); install python3-venv, or set FLEET_BENCH_NO_ORIGINAL=1)"
            )
            return nil
        }
        return path
    }
}
