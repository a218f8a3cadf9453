/// Yields the complete lines of a file from last to first, reading backwards with `pread` in
/// chunks, so the cost of reading the newest N lines is about N lines, not the file size.
///
/// Only newline-terminated lines are returned: bytes after the last newline (a line still being
/// written, or torn by a crash) are skipped. A line longer than `maxLineBytes` is skipped
/// without being held in memory. The file size is taken once at creation; later appends are not
/// seen (followers handle those).
struct BackwardLineReader {
    private let fd: Int32
    private let chunkSize: Int
    private let maxLineBytes: Int
    /// Bytes of the file at `[bufferStart, bufferStart + buffer.count)`; only `buffer[..<end]` is unconsumed.
    private var buffer: [UInt8] = []
    private var end = 0
    private var bufferStart: Int64
    /// Everything after the next newline found is to be dropped (the torn tail, or an overlong line).
    private var discarding = true
    private var finished = false
    /// Total bytes read from the file so far.
    private(set) var bytesRead = 0
    /// Lines skipped for exceeding `maxLineBytes`.
    private(set) var overlongLines = 0

    init(fd: Int32, fileSize: Int64, chunkSize: Int, maxLineBytes: Int) {
        self.fd = fd
        self.bufferStart = fileSize
        self.chunkSize = max(chunkSize, 1)
        self.maxLineBytes = maxLineBytes
    }

    /// The previous complete line (without its newline), or nil at the start of the file.
    mutating func previousLine() throws(SystemIO.Failure) -> [UInt8]? {
        while !finished {
            if let newline = lastNewline(before: end) {
                let line = Array(buffer[(newline + 1)..<end])
                end = newline
                if discarding {
                    discarding = false
                    continue
                }
                return line
            }
            if bufferStart == 0 {
                finished = true
                if discarding { return nil }
                return Array(buffer[..<end])
            }
            if end > maxLineBytes {
                // The line being assembled is too long to keep: drop it and skip to its start.
                if !discarding { overlongLines += 1 }
                discarding = true
                buffer = []
                end = 0
            }
            try readPreviousChunk()
        }
        return nil
    }

    /// Prepends the chunk before `bufferStart`, growing the chunk with the pending partial line so
    /// that very long lines cost linear, not quadratic, copying.
    private mutating func readPreviousChunk() throws(SystemIO.Failure) {
        let size = min(bufferStart, Int64(max(chunkSize, end)))
        let start = bufferStart - size
        let chunk = try SystemIO.pread(fd, count: Int(size), at: start)
        bytesRead += chunk.count
        guard chunk.count == Int(size) else {
            // The file shrank under us (truncated or rewritten): stop rather than mix contents.
            finished = true
            return
        }
        buffer = chunk + buffer[..<end]
        end += chunk.count
        bufferStart = start
    }

    private func lastNewline(before limit: Int) -> Int? {
        buffer.withUnsafeBufferPointer { bytes in
            var index = limit - 1
            while index >= 0 {
                if bytes[index] == UInt8(ascii: "\n") { return index }
                index -= 1
            }
            return nil
        }
    }
}
