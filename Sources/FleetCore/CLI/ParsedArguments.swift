/// The words of a command line sorted into flags, flag values and positionals, with typed
/// accessors whose errors name the flag.
public struct ParsedArguments: Sendable, Equatable {
    public var verb: String
    /// Values by long flag name, in the order given (a repeated flag keeps every value).
    public var values: [String: [String]]
    /// Boolean flags that were given.
    public var flags: Set<String>
    public var positionals: [String]

    public init(verb: String, values: [String: [String]] = [:], flags: Set<String> = [], positionals: [String] = []) {
        self.verb = verb
        self.values = values
        self.flags = flags
        self.positionals = positionals
    }

    /// The last value given for `--name` (later flags override earlier ones).
    public func value(_ name: String) -> String? {
        values[name]?.last
    }

    /// Every value given for a repeatable `--name`.
    public func allValues(_ name: String) -> [String] {
        values[name] ?? []
    }

    public func has(_ flag: String) -> Bool {
        flags.contains(flag)
    }

    /// `--name N` as an integer of at least `minimum`, or nil when absent.
    public func integer(_ name: String, minimum: Int = Int.min) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), number >= minimum else {
            let bound =
                minimum == 1
                ? "a positive integer" : minimum == 0 ? "a non-negative integer" : "an integer >= \(minimum)"
            throw UsageError("--\(name) must be \(bound), got '\(text)'", verb: verb)
        }
        return number
    }

    /// `--name S` as a number of seconds (`2`, `0.5`, `5m`, `1h`, `30s`), or nil when absent.
    public func seconds(_ name: String) throws(UsageError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let seconds = DurationText.seconds(text) else {
            throw UsageError("--\(name) must be a duration such as 30, 2.5, 30s, 5m or 1h, got '\(text)'", verb: verb)
        }
        return seconds
    }
}

/// Durations as operators type them: plain seconds or a number with an `s`, `m` or `h` suffix.
public enum DurationText {
    /// Seconds for `text`, or nil when it is not a non-negative finite duration.
    public static func seconds(_ text: String) -> Double? {
        var body = Substring(text)
        var scale = 1.0
        switch body.last {
        case "s": body = body.dropLast()
        case "m":
            body = body.dropLast()
            scale = 60
        case "h":
            body = body.dropLast()
            scale = 3600
        default: break
        }
        guard let value = Double(body), value.isFinite, value >= 0 else { return nil }
        return value * scale
    }
}
