import FleetCore
import Glibc
import Monitoring

/// Whether a hook's program can be started, checked by `fleetctl check` before the first alert
/// needs it: a hook whose program is missing fails at every notification, and the operator
/// finds out only from `hook_failed` lines during an incident.
///
/// Resolved as `posix_spawnp` will: a word with a slash is a file (relative to the directory
/// fleetctl runs in); a bare name is looked up in each `PATH` directory.
public enum HookProgramCheck {
    /// The PATH used when the environment has none (glibc's default for execvp).
    public static let defaultPath = "/bin:/usr/bin"

    /// Why `hook`'s program cannot run, or nil (Alertmanager hooks run no program).
    public static func problem(
        _ hook: Inventory.AlertHook, environment: [String: String], currentDirectory: String
    )
        -> String?
    {
        guard hook.alertmanagerURL == nil, let program = hook.command.first else { return nil }
        let fix = "fix command in the [[hooks]] entry named '\(hook.name)'"
        if program.contains("/") {
            let path = ConfigPaths.absolute(program, against: currentDirectory)
            if access(path, F_OK) != 0 {
                return "hook '\(hook.name)': its program \(program) does not exist (looked at \(path)); \(fix)"
            }
            if !isExecutableFile(path) {
                return "hook '\(hook.name)': its program \(program) is not an executable file; chmod +x it or \(fix)"
            }
            return nil
        }
        let searchPath = environment["PATH"] ?? defaultPath
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let base = directory.isEmpty ? currentDirectory : String(directory)
            if isExecutableFile(StateDirectory.file(program, in: base)) { return nil }
        }
        return
            "hook '\(hook.name)': its program '\(program)' is not on PATH (\(searchPath)); install it, give its full path, or \(fix)"
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
