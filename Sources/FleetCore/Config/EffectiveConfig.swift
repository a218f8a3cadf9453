/// The effective configuration as a flat list of settings, rendered as JSON (`--json`) or as
/// TOML text annotated with each value's origin, the way `ssh -G` shows what is really in force.
public struct EffectiveConfig: Sendable {
    /// One effective setting: `[section] key = value`, with where it came from.
    public struct Setting: Sendable, Equatable {
        public var section: String
        public var key: String
        /// `.null` means unset (the feature is off).
        public var value: JSONValue
        public var origin: ConfigOrigin

        public init(section: String, key: String, value: JSONValue, origin: ConfigOrigin) {
            self.section = section
            self.key = key
            self.value = value
            self.origin = origin
        }
    }

    public var settings: [Setting]

    public init(settings: [Setting]) {
        self.settings = settings
    }

    /// Nested JSON object: sections become objects (dotted sections nest), keys keep their order.
    public func json() -> JSONValue {
        var root = JSONObject()
        for setting in settings {
            let path = setting.section.isEmpty ? [] : setting.section.split(separator: ".").map(String.init)
            Self.insert(setting.value, at: path + [setting.key], into: &root)
        }
        return .object(root)
    }

    private static func insert(_ value: JSONValue, at path: [String], into object: inout JSONObject) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var child = object[first]?.objectValue ?? JSONObject()
        insert(value, at: Array(path.dropFirst()), into: &child)
        object[first] = .object(child)
    }

    /// TOML text; each line ends with `# origin`. Unset values appear as comments so the operator
    /// sees the key exists.
    public func text() -> String {
        var lines: [String] = []
        var currentSection: String?
        for setting in settings {
            if setting.section != currentSection {
                if currentSection != nil || !lines.isEmpty { lines.append("") }
                if !setting.section.isEmpty { lines.append("[\(setting.section)]") }
                currentSection = setting.section
            }
            let assignment: String
            if setting.value == .null {
                assignment = "# \(setting.key) is unset"
            } else {
                assignment = "\(Self.tomlKey(setting.key)) = \(Self.toml(setting.value))"
            }
            let padding = max(1, 48 - assignment.count)
            lines.append(assignment + String(repeating: " ", count: padding) + "# \(setting.origin)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func tomlKey(_ key: String) -> String {
        let bare =
            !key.isEmpty
            && key.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D
            }
        return bare ? key : toml(.string(key))
    }

    /// A JSON value written as a TOML value.
    static func toml(_ value: JSONValue) -> String {
        switch value {
        case .null: return "\"\""
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number):
            if number.isNaN { return "nan" }
            if number.isInfinite { return number > 0 ? "inf" : "-inf" }
            return JSONWriter.formatDouble(number)
        case .string(let text):
            return TOMLText.basicString(text)
        case .array(let items):
            return "[" + items.map(toml).joined(separator: ", ") + "]"
        case .object(let object):
            return "{ " + object.map { "\(tomlKey($0.key)) = \(toml($0.value))" }.joined(separator: ", ") + " }"
        }
    }
}
