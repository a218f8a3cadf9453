#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A question put to the operator at the terminal, answered on standard input: the confirmation
/// before a whole-fleet rollout. Whether anyone can answer is ``isTerminal`` (standard input is a
/// terminal); a pipe, a file, /dev/null or a closed descriptor is not someone to ask.
public struct TerminalQuestion: Sendable {
    /// The descriptor answers are read from (0: standard input).
    public let input: Int32

    public init(input: Int32 = 0) {
        self.input = input
    }

    /// Whether ``input`` is a terminal.
    public var isTerminal: Bool { isatty(input) == 1 }

    /// Writes `question` to `output`, then reads one line from ``input``: the line without its
    /// newline, or nil at end of input (Ctrl-D) or on a read error. At most 4 KiB are kept.
    public func ask(_ question: String, on output: any TextOutput) -> String? {
        output.write(question)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(input, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            if line.count < 4096 { line.append(byte) }
        }
    }
}
