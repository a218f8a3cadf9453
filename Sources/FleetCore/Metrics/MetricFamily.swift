/// One Prometheus metric family: a name, its help and type, and its samples. Values, so the
/// exposition of a fleet is built and tested without a server.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable { case gauge, counter, histogram }

    public struct Sample: Sendable, Equatable {
        /// Appended to the family name (`_bucket`, `_sum`, `_count`, or empty).
        public var suffix: String
        public var labels: [Label]
        public var value: Double

        public init(suffix: String = "", labels: [Label] = [], value: Double) {
            self.suffix = suffix
            self.labels = labels
            self.value = value
        }
    }

    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public init(name: String, help: String, kind: Kind, samples: [Sample] = []) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }

    /// A histogram family from observations, with cumulative `le` buckets, `_sum` and `_count`.
    public static func histogram(
        name: String, help: String, buckets: [Double], series: [(labels: [Label], observations: [Double])]
    ) -> MetricFamily {
        var family = MetricFamily(name: name, help: help, kind: .histogram)
        for (labels, observations) in series {
            for bound in buckets {
                let count = observations.filter { $0 <= bound }.count
                family.samples.append(
                    Sample(
                        suffix: "_bucket", labels: labels + [Label("le", PrometheusText.number(bound))],
                        value: Double(count)))
            }
            family.samples.append(
                Sample(suffix: "_bucket", labels: labels + [Label("le", "+Inf")], value: Double(observations.count)))
            family.samples.append(Sample(suffix: "_sum", labels: labels, value: observations.reduce(0, +)))
            family.samples.append(Sample(suffix: "_count", labels: labels, value: Double(observations.count)))
        }
        return family
    }
}

/// Renders the Prometheus text exposition format (version 0.0.4), as node_exporter's textfile
/// collector and a `/metrics` scrape expect it.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        for family in families where isValidName(family.name) {
            out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                out += family.name + sample.suffix
                let labels = sample.labels.filter { isValidLabelName($0.name) }
                if !labels.isEmpty {
                    out += "{" + labels.map { "\($0.name)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
                }
                out += " " + number(sample.value) + "\n"
            }
        }
        return out
    }

    /// Go-style float formatting as Prometheus parses it (`+Inf`, `NaN`, integers without `.0`).
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return JSONWriter.formatDouble(value)
    }

    /// A label value as the exposition format writes it: `\`, `"` and newline escaped.
    ///
    /// Works on UTF-8 bytes: a `"` or `\` joined with a combining mark is one `Character` that is
    /// neither, and an escaper walking Characters let one host's version string end the label
    /// value early and break the whole scrape.
    static func escapeLabel(_ text: String) -> String {
        escape(text, quote: true)
    }

    /// HELP text: `\` and newline escaped (quotes stay as they are), byte by byte.
    static func escapeHelp(_ text: String) -> String {
        escape(text, quote: false)
    }

    private static func escape(_ text: String, quote: Bool) -> String {
        guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || (quote && $0 == 0x22) }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            switch byte {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x22 where quote: out += [0x5C, 0x22]
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
    public static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first), !name.hasPrefix("__") else { return false }
        return name.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
