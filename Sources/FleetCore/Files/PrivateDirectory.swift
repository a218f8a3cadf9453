#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The rule for a directory whose files the program trusts: fleetctl's state directory (alert
/// state, silences, the fleet event log, locks) and agent-runner's log_dir (events, transcripts,
/// the lock, serve.pid). Whoever can write in it can plant a `silences.json` that mutes alerts,
/// or symbolic links that make the program truncate and append to files of theirs choosing.
///
/// - The directory belongs to the running user (root too: root following another user's links
///   is the classic attack) and is writable by nobody else. A sticky bit does not help here:
///   it stops others deleting our files, not creating the names we are about to use.
/// - If the directory is a symbolic link, the link belongs to the running user or root.
/// - Every parent belongs to the running user or root, and one writable by others carries the
///   sticky bit (as /tmp does): otherwise its owner or writers could move the directory aside
///   and put their own in its place.
public enum PrivateDirectory {
    /// What ``judge(_:ancestors:user:)`` needs to know of one path (from `lstat`).
    public struct Facts: Sendable, Equatable {
        public var owner: uid_t
        public var mode: mode_t
        public var isSymbolicLink: Bool

        public init(owner: uid_t, mode: mode_t, isSymbolicLink: Bool = false) {
            self.owner = owner
            self.mode = mode
            self.isSymbolicLink = isSymbolicLink
        }
    }

    /// Why a directory may not be used, and the fix.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The path at fault: the directory, its link or a parent.
        public var path: String
        public var reason: String
        public var fix: String

        public var description: String { "\(reason); \(fix)" }
    }

    /// The verdict on `directory` (the link's facts when it is one, then its target's), given
    /// its parents' facts, for `user`. Pure: the tests feed it generated owners and modes.
    public static func judge(
        _ directory: (path: String, facts: [Facts]), ancestors: [(path: String, facts: Facts)], user: uid_t,
        name: (uid_t) -> String = userName
    ) -> Problem? {
        let path = directory.path
        let me = name(user)
        for facts in directory.facts {
            if facts.isSymbolicLink {
                if facts.owner != user && facts.owner != 0 {
                    return Problem(
                        path: path,
                        reason:
                            "\(path) is a symbolic link that belongs to \(name(facts.owner)), who can point it anywhere",
                        fix: "remove it and create the directory, or use a directory of your own")
                }
                continue
            }
            if facts.owner != user {
                return Problem(
                    path: path,
                    reason:
                        "\(path) belongs to \(name(facts.owner)), not to \(me) who runs this: they could plant files "
                        + "and symbolic links in it",
                    fix: "use a directory of your own, or give it to \(me): chown \(me) \(quote(path))")
            }
            if let writers = writers(facts.mode) {
                return Problem(
                    path: path,
                    reason:
                        "\(path) is writable by \(writers) (mode \(octal(facts.mode))): they could plant files and "
                        + "symbolic links in it",
                    fix: "chmod go-w \(quote(path)) (or chmod 700), or use a directory of your own")
            }
        }
        for (ancestor, facts) in ancestors {
            if facts.owner != user && facts.owner != 0 {
                return Problem(
                    path: ancestor,
                    reason:
                        "\(ancestor), a parent of \(path), belongs to \(name(facts.owner)), who could move \(path) "
                        + "aside and put their own in its place",
                    fix: "use a directory whose parents belong to \(me) or root")
            }
            if let writers = writers(facts.mode), facts.mode & S_ISVTX == 0 {
                return Problem(
                    path: ancestor,
                    reason:
                        "\(ancestor), a parent of \(path), is writable by \(writers) (mode \(octal(facts.mode)), "
                        + "without the sticky bit /tmp has): they could move \(path) aside and put their own in its place",
                    fix: "chmod go-w \(quote(ancestor)) or chmod +t \(quote(ancestor)), or use another directory")
            }
        }
        return nil
    }

    /// The verdict on the directory at `path` as it is on disk, for the effective user; nil
    /// when it is private. A directory that cannot be examined is a problem too.
    public static func problem(_ path: String, user: uid_t = geteuid()) -> Problem? {
        guard let own = facts(path, follow: false) else { return missing(path) }
        var directory = [own]
        if own.isSymbolicLink {
            guard let target = facts(path, follow: true) else { return missing(path) }
            directory.append(target)
        }
        guard let real = realpath(path, nil) else { return missing(path) }
        let resolved = String(cString: real)
        free(real)
        var ancestors: [(path: String, facts: Facts)] = []
        var prefix = ""
        for component in resolved.split(separator: "/").dropLast() {
            prefix += "/" + component
            guard let facts = facts(prefix, follow: false) else { return missing(prefix) }
            ancestors.append((prefix, facts))
        }
        ancestors.insert(("/", facts("/", follow: false) ?? Facts(owner: 0, mode: 0o755)), at: 0)
        return judge((path, directory), ancestors: ancestors, user: user)
    }

    private static func facts(_ path: String, follow: Bool) -> Facts? {
        var info = stat()
        guard (follow ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        return Facts(owner: info.st_uid, mode: info.st_mode, isSymbolicLink: (info.st_mode & S_IFMT) == S_IFLNK)
    }

    private static func missing(_ path: String) -> Problem {
        Problem(
            path: path, reason: "cannot examine \(path): \(SystemError.text(errno))",
            fix: "create it as a directory of your own, or use another directory")
    }

    /// "group", "others" or "group and others" when `mode` lets them write; nil otherwise.
    static func writers(_ mode: mode_t) -> String? {
        switch (mode & S_IWGRP != 0, mode & S_IWOTH != 0) {
        case (true, true): return "group and others"
        case (true, false): return "its group"
        case (false, true): return "others"
        case (false, false): return nil
        }
    }

    private static func octal(_ mode: mode_t) -> String {
        "0" + String(mode & 0o7777, radix: 8)
    }

    /// The user's name, or `uid N` when it has none.
    public static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    /// `path` as one shell word for the fix the operator pastes (quoted by scalars: a `'`
    /// followed by a combining mark is still a quote to the shell).
    static func quote(_ path: String) -> String {
        let plain = path.unicodeScalars.allSatisfy {
            $0.isASCII
                && ($0.properties.isAlphabetic || $0.properties.numericType != nil
                    || "/._-+,:@%=".unicodeScalars.contains($0))
        }
        if plain && !path.isEmpty { return path }
        var quoted = "'"
        for scalar in path.unicodeScalars {
            if scalar == "'" { quoted += "'\\''" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "'"
    }
}
