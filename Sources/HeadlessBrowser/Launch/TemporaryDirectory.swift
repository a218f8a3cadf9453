import Glibc

/// The browser's private directory: its profile (`--user-data-dir`), `HOME` and XDG
/// directories (chromium writes its crash database and NSS store there, not into the real
/// home), and its stderr log. Removed on close, so a test run leaves nothing behind.
struct TemporaryDirectory: Sendable {
    let path: String

    /// A new directory under `$TMPDIR` (or /tmp), mode 0700.
    static func create(environment: [String: String]) throws(BrowserError) -> TemporaryDirectory {
        let base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/headless-browser.XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw BrowserError(
                .fileSystem,
                "cannot create a temporary directory for chromium's profile in \(base) "
                    + "(\(String(cString: strerror(errno)))); check that it exists and has free space")
        }
        return TemporaryDirectory(path: String(cString: template.map { $0 }))
    }

    /// Removes the directory and everything in it, never following symlinks.
    func remove() {
        Self.removeTree(path)
    }

    private static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            unlink(path)
            return
        }
        // Names first, then removal: deleting while readdir walks the directory may skip entries.
        var names: [String] = []
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
        }
        for name in names { removeTree(path + "/" + name) }
        rmdir(path)
    }
}
