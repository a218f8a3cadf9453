import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads ``HostMetrics`` from `/proc` and `statvfs(2)`: a handful of small reads, well under a
/// millisecond, so sampling at every round boundary costs the round nothing measurable.
///
/// Not thread-safe (it keeps the previous CPU counters and a read buffer); one per writer.
public struct HostMetricsSampler: Sendable {
    /// Where `/proc` is (tests point it at a fixture tree).
    public let procRoot: String
    /// The agent binary's name, for ``HostMetrics/agentProcessCount``.
    public let agentBinary: String
    private var previousCPU: (busy: UInt64, total: UInt64)?

    public init(agentBinary: String, procRoot: String = "/proc") {
        self.agentBinary = agentBinary
        self.procRoot = procRoot
    }

    /// Samples now; `diskPath` names the partition (the log directory).
    public mutating func sample(diskPath: String) -> HostMetrics {
        var metrics = HostMetrics()
        readMemory(into: &metrics)
        readPressure(into: &metrics)
        readDisk(diskPath, into: &metrics)
        readLoad(into: &metrics)
        metrics.cpuPct = readCPU()
        metrics.agentProcessCount = countAgentProcesses()
        return metrics
    }

    private func readMemory(into metrics: inout HostMetrics) {
        if let text = ProcText.read(procRoot + "/meminfo") {
            var values: [Substring: Int64] = [:]
            for line in text.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon]
                guard key == "MemTotal" || key == "MemFree" || key == "MemAvailable" else { continue }
                values[key] = ProcText.firstInteger(line[line.index(after: colon)...])
            }
            let total = values["MemTotal"] ?? 0
            let available = values["MemAvailable"] ?? values["MemFree"] ?? 0
            metrics.memTotalMB = total / 1024
            metrics.memAvailableMB = available / 1024
            metrics.memFreeMB = (values["MemFree"] ?? 0) / 1024
            metrics.memUsedPct = total > 0 ? HostMetrics.rounded(Double(total - available) / Double(total) * 100, 1) : 0
        }
        if let text = ProcText.read(procRoot + "/vmstat", limit: 16 << 10),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("pswpout ") }),
            let pages = ProcText.firstInteger(line.dropFirst(8))
        {
            metrics.swapSout = pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
        }
    }

    private func readPressure(into metrics: inout HostMetrics) {
        if let memory = ProcText.read(procRoot + "/pressure/memory") {
            let parsed = Self.parsePressure(memory)
            metrics.psiSomeAvg10 = parsed.someAvg10
            metrics.psiFullAvg10 = parsed.fullAvg10
            metrics.psiFullTotal = parsed.fullTotal
        }
        if let io = ProcText.read(procRoot + "/pressure/io") {
            let parsed = Self.parsePressure(io)
            metrics.ioPsiSomeAvg10 = parsed.someAvg10
            metrics.ioPsiFullAvg10 = parsed.fullAvg10
        }
    }

    /// `some avg10=0.00 avg60=0.00 avg300=0.00 total=0` / `full …` lines.
    static func parsePressure(_ text: String) -> (someAvg10: Double?, fullAvg10: Double?, fullTotal: Int64?) {
        var result: (someAvg10: Double?, fullAvg10: Double?, fullTotal: Int64?) = (nil, nil, nil)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let kind = fields.first else { continue }
            var avg10: Double?
            var total: Int64?
            for field in fields.dropFirst() {
                if field.hasPrefix("avg10=") { avg10 = Double(field.dropFirst(6)) }
                if field.hasPrefix("total=") { total = Int64(field.dropFirst(6)) }
            }
            if kind == "some" { result.someAvg10 = avg10 }
            if kind == "full" {
                result.fullAvg10 = avg10
                result.fullTotal = total
            }
        }
        return result
    }

    private func readDisk(_ path: String, into metrics: inout HostMetrics) {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return }
        let unit = Double(info.f_frsize)
        let total = Double(info.f_blocks) * unit
        let used = Double(info.f_blocks - min(info.f_bfree, info.f_blocks)) * unit
        let available = Double(info.f_bavail) * unit
        let gib = 1024.0 * 1024 * 1024
        metrics.diskTotalGB = HostMetrics.rounded(total / gib, 1)
        metrics.diskFreeGB = HostMetrics.rounded(available / gib, 1)
        metrics.diskUsedPct = used + available > 0 ? HostMetrics.rounded(used / (used + available) * 100, 1) : 0
        if info.f_files > 0 {
            metrics.inodeUsedPct = HostMetrics.rounded(
                Double(info.f_files - min(info.f_ffree, info.f_files)) / Double(info.f_files) * 100, 1)
        }
    }

    private func readLoad(into metrics: inout HostMetrics) {
        guard let text = ProcText.read(procRoot + "/loadavg") else { return }
        let fields = text.split(separator: " ")
        guard fields.count >= 3 else { return }
        metrics.load1m = Double(fields[0]).map { HostMetrics.rounded($0, 2) }
        metrics.load5m = Double(fields[1]).map { HostMetrics.rounded($0, 2) }
        metrics.load15m = Double(fields[2]).map { HostMetrics.rounded($0, 2) }
    }

    /// Busy share of all CPUs between the previous call and this one (`/proc/stat` line `cpu`).
    private mutating func readCPU() -> Double? {
        guard let text = ProcText.read(procRoot + "/stat", limit: 64 << 10),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return nil }
        let numbers = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard numbers.count >= 4 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already in user/nice).
        let total = numbers.prefix(8).reduce(0, +)
        let idle = numbers[3] + (numbers.count > 4 ? numbers[4] : 0)
        let current = (busy: total - min(idle, total), total: total)
        defer { previousCPU = current }
        guard let previous = previousCPU, current.total > previous.total, current.busy >= previous.busy else {
            return nil
        }
        return HostMetrics.rounded(
            Double(current.busy - previous.busy) / Double(current.total - previous.total) * 100, 1)
    }

    /// Processes whose `comm` is the agent's binary (the kernel keeps 15 bytes of it).
    private func countAgentProcesses() -> Int {
        let name = Array(agentBinary.utf8.prefix(15))
        guard !name.isEmpty, let directory = opendir(procRoot) else { return 0 }
        defer { closedir(directory) }
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 32)
        while let entry = readdir(directory) {
            let isPID = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Bool in
                guard let first = raw.first, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else {
                    return false
                }
                return raw.prefix { $0 != 0 }.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            }
            guard isPID else { continue }
            let pid = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let fd = open(procRoot + "/" + pid + "/comm", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let length = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard length > 0 else { continue }
            var end = length
            if buffer[end - 1] == UInt8(ascii: "\n") { end -= 1 }
            if end == name.count, buffer[0..<end].elementsEqual(name) { count += 1 }
        }
        return count
    }
}

/// Small reads of `/proc` text files into a string, nil when the file is absent.
enum ProcText {
    static func read(_ path: String, limit: Int = 8 << 10) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, limit - filled) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        return filled > 0 ? String(decoding: bytes[0..<filled], as: UTF8.self) : nil
    }

    /// The first run of digits in `text` as an integer.
    static func firstInteger(_ text: Substring) -> Int64? {
        guard let start = text.firstIndex(where: \.isNumber) else { return nil }
        return Int64(text[start...].prefix(while: \.isNumber))
    }
}
