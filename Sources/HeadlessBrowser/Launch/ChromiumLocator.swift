/// Finds the chromium executable: `$CHROMIUM` when set (a path, or a name looked up on PATH),
/// else `chromium` (Debian) or `chromium-browser` (older Ubuntu, Alpine) on PATH.
enum ChromiumLocator {
    static let names = ["chromium", "chromium-browser"]
    static let installHint = "install it with: apt-get install -y chromium"

    /// - Parameter isExecutable: whether a path is an executable regular file (injected so the
    ///   search order is testable without installing anything).
    static func locate(
        environment: [String: String], isExecutable: (String) -> Bool
    ) throws(BrowserError) -> String {
        let searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if let configured = environment["CHROMIUM"], !configured.isEmpty {
            if let found = resolve(configured, searchPath: searchPath, isExecutable: isExecutable) { return found }
            throw BrowserError(
                .notInstalled,
                "CHROMIUM=\(configured) is not an executable file (PATH=\(searchPath)); point CHROMIUM at a "
                    + "chromium binary or unset it to use chromium from PATH, or \(installHint)")
        }
        for name in names {
            if let found = resolve(name, searchPath: searchPath, isExecutable: isExecutable) { return found }
        }
        throw BrowserError(
            .notInstalled,
            "chromium not found: no chromium or chromium-browser on PATH (\(searchPath)) and CHROMIUM is not set; "
                + installHint)
    }

    private static func resolve(_ name: String, searchPath: String, isExecutable: (String) -> Bool) -> String? {
        if name.contains("/") { return isExecutable(name) ? name : nil }
        for directory in searchPath.split(separator: ":") {
            let candidate = directory + "/" + name
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }
}
