import FleetCore

/// Splits the bytes chromium writes to its DevTools pipe into messages and frames ours.
///
/// `--remote-debugging-pipe` carries JSON messages each terminated by one NUL byte, in both
/// directions; a read may end mid-message (a screenshot is megabytes) or hold several.
struct MessageFramer {
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already searched for a NUL, so a megabyte message arriving in 64 KiB
    /// reads is scanned once, not once per read.
    private var scanned = 0

    /// Adds bytes from the pipe and returns the messages they completed, in order.
    mutating func append(_ bytes: some Collection<UInt8>) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var messages: [[UInt8]] = []
        var start = 0
        var index = scanned
        while index < buffer.count {
            if buffer[index] == 0 {
                messages.append(Array(buffer[start..<index]))
                start = index + 1
            }
            index += 1
        }
        buffer.removeFirst(start)
        scanned = buffer.count
        return messages
    }

    /// Bytes received after the last complete message.
    var pendingByteCount: Int { buffer.count }

    /// A command as it goes on the pipe: compact JSON and the terminating NUL. (The writer
    /// escapes control characters, so no NUL can occur inside.)
    static func frame(_ message: JSONValue) -> [UInt8] {
        var bytes = JSONWriter(style: .compact).encode(message)
        bytes.append(0)
        return bytes
    }
}
