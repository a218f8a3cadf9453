#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// This host's machine name as `uname -m` prints it (`aarch64` on a 64-bit Pi OS, `armv7l` on a
/// 32-bit one, `x86_64`): what `{arch}` in `[upgrade] source` becomes.
public enum HostArchitecture {
    public static func current() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        return withUnsafeBytes(of: names.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
