/// Reads typed fields out of one TOML table, recording where each value came from and turning
/// every wrong value into a ``ConfigError`` that names the file, the line and the dotted key.
///
/// Both `agent-runner.toml` and fleetctl's inventory are read through it, so the two programs
/// reject bad input with the same quality of message.
public struct TOMLFieldReader {
    public let file: String
    public let table: TOMLTable
    /// Dotted path of this table (`runtime`, `hosts.pi`); empty for the document root.
    public let path: String
    /// Line of the table's header, used when a problem has no line of its own.
    public let headerLine: Int?
    /// Origins of every value read so far, keyed by dotted key.
    public private(set) var origins: [String: ConfigOrigin] = [:]

    public init(file: String, table: TOMLTable, path: String = "", headerLine: Int? = nil) {
        self.file = file
        self.table = table
        self.path = path
        self.headerLine = headerLine
    }

    /// The dotted name of `key` in this table.
    public func dotted(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Line where `key` is set in this table, or the header's line.
    public func line(of key: String) -> Int? {
        table.position(of: key)?.line ?? headerLine
    }

    /// An error about `key` of this table.
    public func error(_ key: String?, _ message: String) -> ConfigError {
        ConfigError(
            file: file, line: key.flatMap { line(of: $0) } ?? headerLine,
            key: key.map(dotted) ?? (path.isEmpty ? nil : path), message: message)
    }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool {
        table[key] != nil
    }

    /// The raw value of `key`, recording its origin.
    public mutating func value(_ key: String) -> TOMLValue? {
        guard let value = table[key] else { return nil }
        if let line = table.position(of: key)?.line {
            origins[dotted(key)] = .file(file, line: line)
        }
        return value
    }

    /// Records that `key` took its default value (so `config` can say so).
    public mutating func noteDefault(_ key: String) {
        if origins[dotted(key)] == nil { origins[dotted(key)] = .defaultValue }
    }

    /// Merges origins collected by a reader of a sub-table.
    public mutating func absorb(_ other: TOMLFieldReader) {
        origins.merge(other.origins) { _, new in new }
    }

    // MARK: Typed accessors

    public mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else {
            noteDefault(key)
            return nil
        }
        guard case .string(let text) = value else {
            throw error(key, "must be a string, got \(Self.describe(value))")
        }
        return text
    }

    public mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = value(key) else {
            noteDefault(key)
            return nil
        }
        guard case .boolean(let flag) = value else {
            throw error(key, "must be true or false, got \(Self.describe(value))")
        }
        return flag
    }

    /// An integer within `range`; `requirement` words the rule for the message.
    public mutating func integer(
        _ key: String, in range: ClosedRange<Int64>, requirement: String
    ) throws(ConfigError) -> Int? {
        guard let value = value(key) else {
            noteDefault(key)
            return nil
        }
        guard case .integer(let number) = value, range.contains(number) else {
            throw error(key, "must be \(requirement), got \(Self.describe(value))")
        }
        return Int(number)
    }

    /// An integer > 0.
    public mutating func positiveInt(_ key: String, max: Int64 = Int64(Int32.max)) throws(ConfigError) -> Int? {
        try integer(
            key, in: 1...max,
            requirement: max == Int64(Int32.max) ? "a positive integer" : "an integer from 1 to \(max)")
    }

    /// An integer >= 0.
    public mutating func nonNegativeInt(_ key: String, max: Int64 = Int64(Int32.max)) throws(ConfigError) -> Int? {
        try integer(
            key, in: 0...max,
            requirement: max == Int64(Int32.max) ? "a non-negative integer" : "an integer from 0 to \(max)")
    }

    /// A number (integer or float) within `range`.
    public mutating func number(
        _ key: String, in range: ClosedRange<Double>, requirement: String, allowLowerBound: Bool = true
    ) throws(ConfigError) -> Double? {
        guard let value = value(key) else {
            noteDefault(key)
            return nil
        }
        let number: Double
        switch value {
        case .integer(let int): number = Double(int)
        case .float(let float): number = float
        default: throw error(key, "must be \(requirement), got \(Self.describe(value))")
        }
        guard number.isFinite, range.contains(number), allowLowerBound || number > range.lowerBound else {
            throw error(key, "must be \(requirement), got \(Self.describe(value))")
        }
        return number
    }

    /// One of `allowed`.
    public mutating func choice(_ key: String, _ allowed: [String]) throws(ConfigError) -> String? {
        guard let text = try string(key) else { return nil }
        guard allowed.contains(text) else {
            throw error(key, "'\(text)' is not one of \(allowed.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return text
    }

    /// A list of strings. A bare string is refused rather than guessed at, because the original
    /// tool once exploded `command = "claude"` into single characters.
    public mutating func stringList(_ key: String, allowEmpty: Bool = true) throws(ConfigError) -> [String]? {
        guard let value = value(key) else {
            noteDefault(key)
            return nil
        }
        switch value {
        case .string(let text):
            throw error(key, "must be a list of strings, not a bare string; write [\(Self.quote(text))]")
        case .array(let items):
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw error(key, "item \(index) must be a string, got \(Self.describe(item))")
                }
                strings.append(text)
            }
            if !allowEmpty && strings.isEmpty {
                throw error(key, "must be a non-empty list of strings")
            }
            return strings
        default:
            throw error(key, "must be a list of strings, got \(Self.describe(value))")
        }
    }

    /// A list of regular expressions, each compiled to prove it is valid.
    public mutating func regexList(_ key: String) throws(ConfigError) -> [String]? {
        guard let patterns = try stringList(key) else { return nil }
        for (index, pattern) in patterns.enumerated() where !RegexCheck.compiles(pattern) {
            throw error(key, "item \(index) is not a valid regular expression: \(Self.quote(pattern))")
        }
        return patterns
    }

    /// A table of string values (like `[agent.env]`), in file order.
    public mutating func stringTable(_ key: String) throws(ConfigError) -> [(key: String, value: String)]? {
        guard let value = value(key) else {
            noteDefault(key)
            return nil
        }
        guard case .table(let sub) = value else {
            throw error(key, "must be a table of strings, got \(Self.describe(value))")
        }
        var pairs: [(key: String, value: String)] = []
        for name in sub.keys {
            guard case .string(let text)? = sub[name] else {
                throw ConfigError(
                    file: file, line: sub.position(of: name)?.line ?? line(of: key), key: "\(dotted(key)).\(name)",
                    message: "must be a string, got \(Self.describe(sub[name]))")
            }
            pairs.append((name, text))
        }
        return pairs
    }

    /// A sub-table as a reader of its own; nil when absent.
    public mutating func table(_ key: String) throws(ConfigError) -> TOMLFieldReader? {
        guard let value = value(key) else { return nil }
        guard case .table(let sub) = value else {
            throw error(key, "must be a table ([\(dotted(key))]), got \(Self.describe(value))")
        }
        return TOMLFieldReader(file: file, table: sub, path: dotted(key), headerLine: line(of: key))
    }

    /// Rejects keys of this table that are not in `allowed`: a typo must not silently become a
    /// default. `removed` maps old key names to the message that says what replaced them.
    public func rejectUnknownKeys(allowed: [String], removed: [String: String] = [:]) throws(ConfigError) {
        for key in table.keys where !allowed.contains(key) {
            if let hint = removed[key] {
                throw error(key, hint)
            }
            let label = path.isEmpty ? "top-level key" : "key in [\(path)]"
            var message = "unknown \(label)"
            if let suggestion = Self.closest(to: key, in: allowed) {
                message += "; did you mean '\(suggestion)'?"
            }
            message += " (allowed: \(allowed.sorted().joined(separator: ", ")))"
            throw error(key, message)
        }
    }

    // MARK: Rendering values in messages

    /// A short rendering of a value for "got ..." messages.
    public static func describe(_ value: TOMLValue?) -> String {
        guard let value else { return "nothing" }
        switch value {
        case .string(let text): return "the string \(quote(text))"
        case .integer(let number): return String(number)
        case .float(let number): return String(number)
        case .boolean(let flag): return String(flag)
        case .array(let items): return "a list of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .table: return "a table"
        default: return "a \(value.typeName)"
        }
    }

    /// `text` in double quotes with quotes and control characters escaped, capped at 80 characters.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars.prefix(80) {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if text.unicodeScalars.count > 80 { out += "..." }
        return out + "\""
    }

    /// The allowed key closest to a misspelt one, when it is close enough to be a likely typo.
    /// Public so `agent-runner migrate` words its unknown-key reports like the loader's errors.
    public static func closest(to key: String, in allowed: [String]) -> String? {
        ClosestName.to(key, in: allowed)
    }
}

/// Checks that a pattern is a valid regular expression for the matcher the detectors use.
public enum RegexCheck {
    public static func compiles(_ pattern: String) -> Bool {
        (try? Regex(pattern)) != nil
    }
}
