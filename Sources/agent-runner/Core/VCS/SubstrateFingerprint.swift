import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `paths_hash` of `round_substrate_before` / `_after`: a fingerprint of the files matching
/// `[runtime] substrate_fingerprint_paths`, so a round that changed files it was told to leave
/// alone (or claimed to change files it did not) shows in the events even when nothing was
/// committed, as git HEAD alone would not.
///
/// The original's `compute_paths_hash`, byte for byte: the globs are matched from `work_dir` as
/// Python's `pathlib.Path.glob` matches them (`**` is any depth of directories and does not
/// follow symlinked ones, `*` also matches names starting with a dot), the regular files found
/// are de-duplicated by their resolved path and sorted by path components; the hash is SHA-256
/// over `<path relative to work_dir>\n<sha256 hex of the content>\n` per file. nil without
/// patterns or when none matches; an unreadable file is left out.
struct SubstrateFingerprint {
    /// The resolved work tree.
    let workDir: String
    let patterns: [String]

    func hash() -> String? {
        guard !patterns.isEmpty else { return nil }
        var resolved: Set<String> = []
        for pattern in patterns {
            for path in Self.glob(pattern, in: workDir) where Self.isRegularFile(path) {
                if let real = LocalFileSystem().resolveSymlinks(path) { resolved.insert(real) }
            }
        }
        guard !resolved.isEmpty else { return nil }
        let ordered = resolved.sorted { Self.components($0).lexicographicallyPrecedes(Self.components($1)) }
        var hash = SHA256()
        for path in ordered {
            guard let digest = Self.contentDigest(path) else { continue }
            let prefix = workDir.hasSuffix("/") ? workDir : workDir + "/"
            let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
            hash.update(Array(relative.utf8) + [0x0A] + Array(digest.utf8) + [0x0A])
        }
        return hash.hexDigest()
    }

    /// The paths `pattern` matches under `base` (pathlib's rules; see the type).
    static func glob(_ pattern: String, in base: String) -> [String] {
        let parts = pattern.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !parts.isEmpty else { return [] }
        var current = [base]
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            var next: [String] = []
            var seen: Set<String> = []
            func add(_ path: String) { if seen.insert(path).inserted { next.append(path) } }
            for directory in current {
                if part == "**" {
                    recursiveDirectories(directory).forEach(add)
                } else if part.contains(where: { "*?[".contains($0) }) {
                    for name in names(in: directory) where fnmatch(part, name, FNM_NOESCAPE) == 0 {
                        let path = join(directory, name)
                        if last || isDirectory(path) { add(path) }
                    }
                } else {
                    let path = join(directory, part)
                    if last ? exists(path) : isDirectory(path) { add(path) }
                }
            }
            current = next
        }
        return current
    }

    /// `directory` and every directory below it, not entering symlinked ones.
    static func recursiveDirectories(_ directory: String) -> [String] {
        var found = [directory]
        for name in names(in: directory) {
            let path = join(directory, name)
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            found += recursiveDirectories(path)
        }
        return found
    }

    static func names(in directory: String) -> [String] {
        LocalFileSystem().directoryNames(directory).sorted()
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// The components of a path, as Python orders `Path` values.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }

    /// SHA-256 of the file's content, read in 64 KiB pieces; nil when it cannot be read.
    static func contentDigest(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hash = SHA256()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            hash.update(buffer[0..<count])
        }
        return hash.hexDigest()
    }
}
