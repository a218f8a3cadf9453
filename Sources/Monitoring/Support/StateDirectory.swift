import FleetCore
import Glibc

/// Where fleetctl keeps its state: `--state-dir`, else the inventory's `state_dir`, else a
/// directory of its own for the inventory file under `$XDG_STATE_HOME/fleetctl` (else
/// `~/.local/state/fleetctl`): `inventory-3f9a1c07` for `/ops/fleet/inventory.toml`. Created 0700 on
/// first use: it holds alert history and silences, nobody else's business.
///
/// Derived from the inventory's real path, never from the current directory, so `fleetctl
/// silences` run from another folder (with `-i` or `$FLEETCTL_INVENTORY`) sees the silences
/// `fleetctl watch` honours, and two inventories never share alert state.
public enum StateDirectory {
    /// - Parameter inventory: the inventory's state directory (its `state_dir`, or the default
    ///   derived for it); nil when no inventory was read.
    public static func resolve(flag: String?, inventory: String?, environment: [String: String], home: String) -> String
    {
        if let flag, !flag.isEmpty { return flag }
        if let inventory { return inventory }
        return self.home(environment: environment, home: home)
    }

    /// `$XDG_STATE_HOME/fleetctl` when that is absolute, else `~/.local/state/fleetctl`.
    public static func home(environment: [String: String], home: String) -> String {
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return file("fleetctl", in: xdg) }
        return file(".local/state/fleetctl", in: home)
    }

    /// The default state directory of the inventory file at `path` (absolute, symlinks resolved):
    /// `<stateHome>/<file name without .toml>-<first 8 hex digits of SHA-256(path)>`.
    public static func forInventory(_ path: String, stateHome: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? "inventory"
        let stem = name.hasSuffix(".toml") ? String(name.dropLast(5)) : name
        let safe = String(
            stem.unicodeScalars.prefix(40).map { scalar -> Character in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
                    ? Character(scalar) : "_"
            })
        let digest = SHA256.hex(of: Array(path.utf8)).prefix(8)
        return file("\(safe.isEmpty ? "inventory" : safe)-\(digest)", in: stateHome)
    }

    /// A note for an operator upgrading from a fleetctl that kept one state directory for every
    /// inventory (`stateHome` itself): its saved alerts and silences would otherwise be ignored
    /// without a word. nil when `stateDir` is not the derived default's or nothing old is there.
    public static func legacyNote(stateDir: String, stateHome: String) -> String? {
        let old = ["watch-state.json", "silences.json"].filter { Directories.exists(file($0, in: stateHome)) }
        guard !old.isEmpty, stateDir.hasPrefix(stateHome + "/"),
            !old.contains(where: { Directories.exists(file($0, in: stateDir)) })
        else { return nil }
        return
            "note: \(old.joined(separator: " and ")) in \(stateHome) come from an older fleetctl, which kept one state directory for every inventory; this inventory's state is now in \(stateDir): move those files (and fleet-events-*.jsonl) there, or set state_dir = \"\(stateHome)\" in [defaults]"
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
