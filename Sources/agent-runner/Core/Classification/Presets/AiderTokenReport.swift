/// The usage aider prints after each model reply, summed over the round:
/// `Tokens: 677 sent, 18 received. Cost: $0.00011 message, $0.00011 session.`
/// (with `, 1.2k cache write, 10k cache hit` when the provider caches).
///
/// aider rounds counts of 1000 and more to `1.2k` / `12k`, so the sums are approximate. The
/// model is the one the header names (`Model: openai/gpt-4o-mini with whole edit format`, or
/// `Main model: …`), when the header is still in the tail; the cost is the last `session` cost
/// (one aider run is one session).
enum AiderTokenReport {
    static func usage(in lines: [String]) -> AgentUsage? {
        var usage = AgentUsage(model: "unknown", inputTokens: 0, outputTokens: 0)
        var reports = 0
        for line in lines {
            if usage.model == "unknown", let model = model(line) { usage.model = model }
            guard line.hasPrefix("Tokens: ") else { continue }
            reports += 1
            let rest = line.dropFirst("Tokens: ".count)
            var counts = rest.firstRange(of: ". ").map { rest[..<$0.lowerBound] } ?? rest
            if counts.hasSuffix(".") { counts = counts.dropLast() }
            let costs = line.firstRange(of: "Cost: ").map { line[$0.upperBound...] } ?? ""
            for part in splitCounts(counts) {
                let pieces = part.split(separator: " ", maxSplits: 1)
                guard pieces.count == 2, let value = count(pieces[0]) else { continue }
                switch pieces[1] {
                case "sent": usage.inputTokens += value
                case "received": usage.outputTokens += value
                case "cache hit": usage.cachedTokens += value
                case "cache write": usage.cacheCreationTokens += value
                default: continue
                }
            }
            if let session = costs.split(separator: ",").last(where: { $0.contains("session") }),
                let dollars = session.split(separator: "$").last?.split(separator: " ").first,
                let cost = Double(dollars), cost > 0
            {
                usage.costUSD = cost
            }
        }
        return reports > 0 ? usage : nil
    }

    /// "677 sent, 1.2k cache write, 18 received" → its comma-separated parts. (The counts end at
    /// ". ", not at the first ".", which may be inside a count such as "1.2k".)
    private static func splitCounts(_ text: Substring) -> [Substring] {
        text.split(separator: ",").map { $0.drop { $0 == " " } }
    }

    /// "677", "1.2k", "12k", "1.5M".
    private static func count(_ text: Substring) -> Int64? {
        var digits = text
        var scale = 1.0
        if digits.hasSuffix("k") {
            scale = 1000
            digits = digits.dropLast()
        }
        if digits.hasSuffix("M") {
            scale = 1_000_000
            digits = digits.dropLast()
        }
        guard let value = Double(digits), value.isFinite, value >= 0 else { return nil }
        return Int64((value * scale).rounded())
    }

    private static func model(_ line: String) -> String? {
        for lead in ["Model: ", "Main model: "] where line.hasPrefix(lead) {
            let rest = line.dropFirst(lead.count)
            let name = rest.firstRange(of: " with ").map { rest[..<$0.lowerBound] } ?? rest
            return name.isEmpty ? nil : String(name)
        }
        return nil
    }
}
