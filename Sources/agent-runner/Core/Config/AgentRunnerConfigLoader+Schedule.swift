import FleetCore

/// `[schedule]` and `[phases.NAME.schedule]` (config.md §3.8): the windows are parsed once, at
/// load, so a typo in a window or a zone is a config error naming the file, line and key, never
/// a surprise at the first pause.
extension AgentRunnerConfigLoader {
    static let scheduleKeys = ["timezone", "run_windows", "pause_windows"]

    /// A schedule without windows: serve runs around the clock (no `[schedule]`).
    static let alwaysOpen = Schedule(timezone: nil, zone: .utc)

    /// One schedule table. A phase's table (`inheriting` the global one) without its own
    /// `timezone` reads its windows in the global zone.
    func readSchedule(_ reader: inout TOMLFieldReader, inheriting global: Schedule?) throws(ConfigError) -> Schedule {
        try reader.rejectUnknownKeys(allowed: Self.scheduleKeys)
        let timezone = try reader.string("timezone")
        let run = try Self.windowTexts(&reader, .runWindows)
        let pause = try Self.windowTexts(&reader, .pauseWindows)
        do throws(ScheduleError) {
            if let global {
                return try Schedule.parse(
                    timezone: timezone, runWindows: run, pauseWindows: pause, inheriting: global,
                    zones: zones)
            }
            return try Schedule.parse(timezone: timezone, runWindows: run, pauseWindows: pause, zones: zones)
        } catch {
            throw Self.configError(error, in: reader)
        }
    }

    /// The zone a phase schedule without `timezone` inherits when there is no `[schedule]`:
    /// the host's (`/etc/localtime`).
    func hostLocalSchedule(_ phaseTable: TOMLFieldReader) throws(ConfigError) -> Schedule {
        do throws(ScheduleError) {
            return try Schedule.parse(timezone: nil, runWindows: [], pauseWindows: [], zones: zones)
        } catch {
            throw Self.configError(error, in: phaseTable)
        }
    }

    /// A list of window strings; a bare string or a non-string item is refused as the original refuses it.
    private static func windowTexts(
        _ reader: inout TOMLFieldReader, _ key: ScheduleError.Key
    ) throws(ConfigError) -> [String] {
        guard let value = reader.value(key.rawValue) else {
            reader.noteDefault(key.rawValue)
            return []
        }
        guard case .array(let items) = value else {
            throw reader.error(
                key.rawValue,
                "\(ScheduleError.notAListMessage), e.g. [\"Mon-Fri 08:00-20:00\"]; "
                    + "got \(TOMLFieldReader.describe(value))"
            )
        }
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw reader.error(
                    key.rawValue,
                    "item \(index) must be a window string like \"Mon-Fri 08:00-20:00\", "
                        + "got \(TOMLFieldReader.describe(item))"
                )
            }
            texts.append(text)
        }
        return texts
    }

    /// The schedule core's error at the key's line, under the table's dotted name.
    private static func configError(_ error: ScheduleError, in reader: TOMLFieldReader) -> ConfigError {
        var message = error.message
        if let index = error.index { message = "item \(index): " + message }
        if error.key == .timezone && message.hasPrefix("unknown IANA zone") && !message.contains("(") {
            message +=
                "; use an IANA name such as \"Europe/Berlin\" (the names in /usr/share/zoneinfo), "
                + "or remove timezone for the host's zone"
        }
        return ConfigError(
            file: reader.file, line: reader.line(of: error.key.rawValue),
            key: error.dottedKey(table: reader.path), message: message)
    }
}
