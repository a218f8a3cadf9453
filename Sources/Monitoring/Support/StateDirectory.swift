import FleetCore
import Glibc

/// Where fleetctl keeps its state: `--state-dir`, else the inventory's `state_dir`, else
/// `$XDG_STATE_HOME/fleetctl`, else `~/.local/state/fleetctl`. Created 0700 on first use: it
/// holds alert history and silences, nobody else's business.
public enum StateDirectory {
    public static func resolve(flag: String?, inventory: String?, environment: [String: String], home: String) -> String
    {
        if let flag, !flag.isEmpty { return flag }
        if let inventory { return inventory }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return file("fleetctl", in: xdg) }
        return file(".local/state/fleetctl", in: home)
    }

    /// Creates `path` and its parents (0700 for the last one), then refuses it unless it is
    /// private (``PrivateDirectory``): a state directory someone else can write in lets them
    /// plant a `silences.json` or links to their victims' files.
    public static func prepare(
        _ path: String, hint: String = "pass --state-dir PATH or set state_dir in the inventory"
    ) throws(WatchStateError) {
        var prefix = ""
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for (index, part) in parts.enumerated() {
            prefix += "/" + part
            if Directories.exists(prefix) { continue }
            if mkdir(prefix, index == parts.count - 1 ? 0o700 : 0o755) != 0 && errno != EEXIST {
                throw WatchStateError(
                    "cannot create the state directory \(path): \(String(cString: strerror(errno))) at \(prefix); \(hint)"
                )
            }
        }
        if let problem = PrivateDirectory.problem(path) {
            throw WatchStateError("refusing the directory \(path): \(problem.reason); \(problem.fix), or \(hint)")
        }
    }

    /// `directory/name`.
    public static func file(_ name: String, in directory: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
