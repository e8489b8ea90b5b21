import Foundation

enum TestSettings {
    static let slow = ProcessInfo.processInfo.environment["MEANFIELD_SLOW_TESTS"] == "1"
}
