/// The repetitive-tool anomaly: the same (tool, target) called at least `threshold` times within
/// a sliding window of `window` calls — an agent stuck re-running the same failing command.
public enum RepetitiveTools {
    public static func firstHit(_ calls: [ToolCall], window: Int, threshold: Int) -> (call: ToolCall, count: Int)? {
        guard window > 0, threshold > 0, !calls.isEmpty else { return nil }
        let recent = Array(calls.suffix(window * 4))
        for end in 0..<recent.count {
            let slice = recent[max(0, end - window + 1)...end]
            let call = recent[end]
            let count = slice.filter { $0 == call }.count
            if count >= threshold { return (call, count) }
        }
        return nil
    }
}
