/// Pressure stall information (`/proc/pressure/memory`, a cgroup v2 `memory.pressure`):
///
///     some avg10=0.00 avg60=0.00 avg300=0.00 total=0
///     full avg10=0.00 avg60=0.00 avg300=0.00 total=0
///
/// `some` is the share of time at least one task stalled on memory, `full` the share all did.
/// Raspberry Pi OS kernels build PSI but disable it at boot (`psi=1` enables it): then the
/// file is absent and the reading is nil, and the ladder falls back to swap-out and free memory.
public struct PressureReading: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        /// Percent of wall time over the last 10 s, 60 s, 300 s.
        public var avg10: Double
        public var avg60: Double
        public var avg300: Double
        /// Total stall time, microseconds.
        public var totalUS: Int64

        public init(avg10: Double = 0, avg60: Double = 0, avg300: Double = 0, totalUS: Int64 = 0) {
            self.avg10 = avg10
            self.avg60 = avg60
            self.avg300 = avg300
            self.totalUS = totalUS
        }
    }

    public var some: Line?
    public var full: Line?

    public init(some: Line? = nil, full: Line? = nil) {
        self.some = some
        self.full = full
    }

    /// Parses the file's bytes; nil when neither a `some` nor a `full` line is there.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> PressureReading? {
        var reading = PressureReading()
        ProcBytes.forEachLine(bytes) { line in
            if ProcBytes.matches(bytes, at: line.lowerBound, limit: line.upperBound, "some", then: ProcBytes.space) {
                reading.some = parseLine(bytes, line)
            } else if ProcBytes.matches(
                bytes, at: line.lowerBound, limit: line.upperBound, "full", then: ProcBytes.space)
            {
                reading.full = parseLine(bytes, line)
            }
            return true
        }
        return reading.some == nil && reading.full == nil ? nil : reading
    }

    private static func parseLine(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Line {
        var result = Line()
        var index = line.lowerBound + 5
        let end = line.upperBound
        while index < end {
            while index < end && ProcBytes.isBlank(bytes[index]) { index += 1 }
            if ProcBytes.matches(bytes, at: index, limit: end, "avg10", then: ProcBytes.equals) {
                index += 6
                result.avg10 = ProcBytes.decimal(bytes, from: &index, limit: end) ?? 0
            } else if ProcBytes.matches(bytes, at: index, limit: end, "avg60", then: ProcBytes.equals) {
                index += 6
                result.avg60 = ProcBytes.decimal(bytes, from: &index, limit: end) ?? 0
            } else if ProcBytes.matches(bytes, at: index, limit: end, "avg300", then: ProcBytes.equals) {
                index += 7
                result.avg300 = ProcBytes.decimal(bytes, from: &index, limit: end) ?? 0
            } else if ProcBytes.matches(bytes, at: index, limit: end, "total", then: ProcBytes.equals) {
                index += 6
                result.totalUS = ProcBytes.integer(bytes, from: &index, limit: end) ?? 0
            }
            while index < end && !ProcBytes.isBlank(bytes[index]) { index += 1 }
        }
        return result
    }
}
