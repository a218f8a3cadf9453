#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The agent-runner binary this process runs from.
public enum RunningExecutable {
    /// `/proc/self/exe`: the real file, whatever symlink or PATH entry started it.
    public static func path() -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments.first ?? "agent-runner" }
        let text = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A binary replaced on disk while running reads as "PATH (deleted)".
        return text.hasSuffix(" (deleted)") ? String(text.dropLast(" (deleted)".count)) : text
    }

    /// What a unit's ExecStart should name: the upgrade symlink when it exists (so an upgrade
    /// takes effect at the next restart), else this build.
    public static func forUnits(binLink: String) -> String {
        var info = stat()
        return lstat(binLink, &info) == 0 && access(binLink, X_OK) == 0 ? binLink : path()
    }
}
