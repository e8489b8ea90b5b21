/// A parameter outside its domain. `option` is the command-line spelling without dashes
/// ("sigma-w"), so that the CLI and library users see the same name.
public struct InvalidParameter: Error, CustomStringConvertible, Sendable, Equatable {
    public let option: String
    public let value: String
    public let reason: String

    public init(option: String, value: String, reason: String) {
        self.option = option
        self.value = value
        self.reason = reason
    }

    public init(option: String, value: Double, reason: String) {
        self.init(option: option, value: Self.format(value), reason: reason)
    }

    public init(option: String, value: Int, reason: String) {
        self.init(option: option, value: String(value), reason: reason)
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }

    public var description: String { "invalid value \(value) for --\(option): \(reason)" }
}
