import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Gives back the pages of agent-runner's own code that only start-up touched: serve calls it once
/// its config is loaded and again once its first round has ended.
///
/// Serve's resident memory is mostly its binary's code pages (docs/performance.md, serve-overhead):
/// every page any code path touched since exec stays mapped, and the kernel maps 16 pages around
/// each fault. Argument parsing, config loading and validation, the startup battery and the first
/// round's set-up run once, yet held about 1 MiB of a 10.4 MiB serve. `MADV_PAGEOUT` (Linux 5.4+)
/// on the executable's read-only mappings reclaims them; the code every round runs faults back
/// from the file at its next use (measured: the binary's resident code settles at 5.4 instead of
/// 6.4 MiB within a round and stays there), and the kernel leaves alone pages another process
/// maps. On an older kernel the advice is refused and nothing changes.
public enum StartupCodeRelease {
    /// `/proc/self/maps` lines of the executable's private read-only file mappings (its code and
    /// constants; not its writable data, whose written pages are anonymous).
    static func readOnlyMappings(maps: String, executable: String) -> [Range<UInt>] {
        maps.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "r-xp" || fields[1] == "r--p",
                fields[5...].joined(separator: " ") == executable
            else { return nil }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            guard bounds.count == 2, bounds[0] < bounds[1] else { return nil }
            return bounds[0]..<bounds[1]
        }
    }

    /// Advises the kernel to page out this process's read-only executable mappings; returns the
    /// bytes advised (0 when the executable or its mappings cannot be read).
    @discardableResult
    public static func release() -> Int {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0, let maps = try? LocalFileSystem().readFile("/proc/self/maps", limit: 1 << 20) else {
            return 0
        }
        let executable = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var advised = 0
        for range in readOnlyMappings(maps: String(decoding: maps, as: UTF8.self), executable: executable) {
            let start = UnsafeMutableRawPointer(bitPattern: range.lowerBound)
            if madvise(start, Int(range.upperBound - range.lowerBound), MADV_PAGEOUT) == 0 {
                advised += Int(range.upperBound - range.lowerBound)
            }
        }
        return advised
    }
}
