import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Which `agent-runner` binary the demo starts: the one given, else the one installed beside
/// this fleetctl (a build or a release folder holds both), else the first on `PATH`.
public enum AgentRunnerLocator {
    /// The absolute path, or nil when `flag` is not an executable file or none is found.
    public static func locate(_ flag: String?, environment: [String: String], currentDirectory: String) -> String? {
        if let flag {
            return Directories.isExecutableFile(flag) ? ConfigPaths.absolute(flag, against: currentDirectory) : nil
        }
        if let exe = ownExecutable() {
            let beside = ConfigPaths.directory(of: exe) + "/agent-runner"
            if Directories.isExecutableFile(beside) { return beside }
        }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        return Directories.resolveExecutable("agent-runner", path: path, base: currentDirectory)
    }

    /// This process's executable (`/proc/self/exe`).
    static func ownExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
