/// A ``TextOutput`` for human messages that passes everything through ``TerminalText`` (newlines
/// and tabs kept): stderr of both programs is this, so no error message that quotes a host, an
/// agent or ssh (a poll error, a hook failure, a remote stderr tail) can drive the terminal,
/// whichever code path wrote it.
public struct SanitizedOutput: TextOutput {
    public let base: any TextOutput

    public init(_ base: any TextOutput) {
        self.base = base
    }

    public func write(_ text: String) {
        base.write(TerminalText.sanitize(text, keepNewlines: true))
    }
}
