import FleetCore

extension Duration {
    /// The seconds as the monitors have always printed them in operator messages: Python's
    /// float text and `s` (`3.0s`, `2.5s`, `0.731s`), as in "stop did not take effect within
    /// 3.0s" or "confirmed after 1.2s". Not ``shortText`` (`3s`): operators' log filters and the
    /// end-to-end tests match these messages as written.
    public var secondsText: String {
        let (whole, attoseconds) = components
        return JSONWriter.formatDouble((Double(whole) + Double(attoseconds) / 1e18) * 10 / 10) + "s"
    }
}
