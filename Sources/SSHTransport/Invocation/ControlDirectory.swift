import Glibc

/// The private directory holding fleetctl's ssh ControlMaster sockets.
///
/// Whoever can connect to a control socket can run commands on the host as the operator,
/// without a key. So the directory must be ours and mode 0700, and must not be a symlink
/// (in /tmp another user could plant one, or pre-create the directory, before our first
/// run). A unix socket path is limited to 107 bytes; ssh's socket is `<dir>/%C` (40 hex
/// characters) and it first binds a temporary `<dir>/%C.<16 random characters>`, so the
/// directory may be at most 49 bytes long.
public enum ControlDirectory {
    /// Longest accepted directory path, in bytes: 107 − "/" − 40 − ".XXXXXXXXXXXXXXXX".
    public static let maximumPathLength = 107 - 1 - 40 - 17

    /// `$XDG_RUNTIME_DIR/fleetctl-ssh` (a per-user tmpfs under systemd) when that variable
    /// names an absolute path short enough, else `/tmp/fleetctl-ssh-<uid>`.
    public static func defaultPath(environment: [String: String], userID: uid_t = geteuid()) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            let candidate = (runtime.hasSuffix("/") ? String(runtime.dropLast()) : runtime) + "/fleetctl-ssh"
            if problem(withPath: candidate) == nil { return candidate }
        }
        return "/tmp/fleetctl-ssh-\(userID)"
    }

    /// Why `path` cannot serve as a control directory, judging the string alone, or nil.
    public static func problem(withPath path: String) -> String? {
        if let problem = OptionValueCheck.problem(path, what: "the ssh control directory") {
            return problem + "; set XDG_RUNTIME_DIR to a plain path or set connection_reuse = false in the inventory"
        }
        if !path.hasPrefix("/") {
            return
                "the ssh control directory \(OperatorText.quoted(path)) is not an absolute path; set XDG_RUNTIME_DIR to an absolute path or set connection_reuse = false in the inventory"
        }
        if path.contains("%") {
            return
                "the ssh control directory \(OperatorText.quoted(path)) contains '%', which ssh would expand as a token; use a path without '%' or set connection_reuse = false in the inventory"
        }
        if path.utf8.count > maximumPathLength {
            return
                "the ssh control directory \(OperatorText.quoted(path)) is \(path.utf8.count) bytes long, but sockets in it must fit the 107-byte unix socket limit (at most \(maximumPathLength) bytes for the directory); use a shorter XDG_RUNTIME_DIR or set connection_reuse = false in the inventory"
        }
        return nil
    }

    /// Creates `path` (mode 0700) if missing, and checks that it is a real directory owned by
    /// this user and closed to everyone else; a directory of ours with a looser mode is
    /// tightened to 0700. The parent must exist.
    public static func prepare(_ path: String) throws(SSHSetupError) {
        if let problem = problem(withPath: path) { throw SSHSetupError(.controlDirectory, problem) }
        let fallback = "or set connection_reuse = false in the inventory"
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            let reason = String(cString: strerror(errno))
            throw SSHSetupError(
                .controlDirectory,
                "cannot create the ssh control directory \(path): \(reason); check that its parent exists and is writable, \(fallback)"
            )
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw SSHSetupError(
                .controlDirectory, "cannot inspect the ssh control directory \(path): \(reason); \(fallback)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw SSHSetupError(
                .controlDirectory,
                "\(path) exists but is not a directory (a symlink or a file): someone may be trying to capture fleetctl's ssh connections; inspect and remove it, \(fallback)"
            )
        }
        guard info.st_uid == geteuid() else {
            throw SSHSetupError(
                .controlDirectory,
                "the ssh control directory \(path) belongs to uid \(info.st_uid), not to this user (uid \(geteuid())): its owner could hijack fleetctl's ssh connections; remove it (as root), \(fallback)"
            )
        }
        if info.st_mode & 0o077 != 0 && chmod(path, 0o700) != 0 {
            let reason = String(cString: strerror(errno))
            throw SSHSetupError(
                .controlDirectory,
                "the ssh control directory \(path) is open to other users and cannot be made private: \(reason); remove it, \(fallback)"
            )
        }
    }
}
