import Foundation
import MeanFieldCore
import MeanFieldIO
import Testing
@testable import MeanFieldFitting

/// Bad input is an InvalidParameter naming the command-line option and the offending value.
struct BadInputTests {
    static let csvText = """
        layer,p,e,p_std,label
        0,1,0.5,0,a
        1,2,0.6,0.1,b
        2,4,,0.2,c
        3,8,0.7,0.4,d
        4,16,0.75,0.8,e
        5,32,0.75,1.6,f
        """

    static func csv(_ text: String = csvText) throws -> CSVData { try CSVData(text: text, source: "test.csv") }

    func expectInvalid(option: String, value: String? = nil, reasonContains: String? = nil,
                       _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("no error; expected one for --\(option)", sourceLocation: sourceLocation)
        } catch let error as InvalidParameter {
            #expect(error.option == option, "\(error)", sourceLocation: sourceLocation)
            if let value { #expect(error.value == value, "\(error)", sourceLocation: sourceLocation) }
            if let reasonContains {
                #expect(error.reason.contains(reasonContains), "\(error)", sourceLocation: sourceLocation)
            }
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func missingColumns() throws {
        let csv = try Self.csv()
        expectInvalid(option: "y", value: "q", reasonContains: "no such column") {
            _ = try FitData(csv: csv, x: "layer", y: "q")
        }
        expectInvalid(option: "x", value: "depth", reasonContains: "columns: layer, p, e, p_std, label") {
            _ = try FitData(csv: csv, x: "depth", y: "p")
        }
        expectInvalid(option: "stderr", value: "p_sem") {
            _ = try FitData(csv: csv, x: "layer", y: "p", standardError: "p_sem")
        }
    }

    @Test func nonNumericValues() throws {
        expectInvalid(option: "y", value: "label", reasonContains: "row 2, column 'label': 'a' is not a finite number") {
            _ = try FitData(csv: Self.csv(), x: "layer", y: "label")
        }
        let withNaN = Self.csvText.replacingOccurrences(of: "3,8,0.7", with: "3,nan,0.7")
        expectInvalid(option: "y", value: "p", reasonContains: "'nan' is not a finite number") {
            _ = try FitData(csv: Self.csv(withNaN), x: "layer", y: "p")
        }
    }

    @Test func emptyYFieldsAreSkipped() throws {
        let data = try FitData(csv: Self.csv(), x: "layer", y: "e")
        #expect(data.x == [0, 1, 3, 4, 5])
        #expect(data.y == [0.5, 0.6, 0.7, 0.75, 0.75])
        let missingX = Self.csvText.replacingOccurrences(of: "\n3,8", with: "\n,8")
        expectInvalid(option: "x", value: "layer", reasonContains: "row 5") {
            _ = try FitData(csv: Self.csv(missingX), x: "layer", y: "p")
        }
    }

    @Test func nonPositiveValuesWhereALogIsNeeded() throws {
        let data = try FitData(x: [1, 2, 3, 4], y: [1, 2, -3, 4], yName: "p")
        expectInvalid(option: "y", value: "p", reasonContains: "is -3 at x = 3") {
            _ = try GrowthLawFit.fit(data, law: .power)
        }
        expectInvalid(option: "y", value: "p") {
            _ = try GrowthLawFit.fit(data, law: .exponential, scale: .linear)
        }
        // |e - 0.75| = 0 at layers 4 and 5.
        let e = try FitData(csv: Self.csv(), x: "layer", y: "e", from: 1).subtractingLimit(0.75)
        expectInvalid(option: "limit", value: "0.75", reasonContains: "equals the limit at layer = 4") {
            _ = try GrowthLawFit.report(e, law: .auto)
        }
    }

    @Test func fewerPointsThanTheLawNeeds() throws {
        let data = try FitData(csv: Self.csv(), x: "layer", y: "p", from: 1, to: 4)
        expectInvalid(option: "law", value: "power-corrected", reasonContains: "needs at least 5 points; the window holds 4") {
            _ = try GrowthLawFit.fit(data, law: .powerCorrected)
        }
        // auto needs every law to apply to the same points.
        expectInvalid(option: "law", value: "power-corrected") {
            _ = try GrowthLawFit.report(data, law: .auto)
        }
        let two = try data.window(from: 1, to: 2)
        expectInvalid(option: "law", value: "power", reasonContains: "needs at least 3 points; the window holds 2") {
            _ = try GrowthLawFit.fit(two, law: .power)
        }
    }

    @Test func windows() throws {
        let csv = try Self.csv()
        expectInvalid(option: "from", value: "3", reasonContains: "greater than --to 2") {
            _ = try FitData(csv: csv, x: "layer", y: "p", from: 3, to: 2)
        }
        expectInvalid(option: "from", value: "10", reasonContains: "holds no rows") {
            _ = try FitData(csv: csv, x: "layer", y: "p", from: 10)
        }
        expectInvalid(option: "to", value: "-1", reasonContains: "holds no rows") {
            _ = try FitData(csv: csv, x: "layer", y: "p", to: -1)
        }
        // Layer 0 is outside the power law's domain: named as the start of the window.
        let all = try FitData(csv: csv, x: "layer", y: "p")
        expectInvalid(option: "from", value: "0", reasonContains: "needs layer > 0") {
            _ = try GrowthLawFit.fit(all, law: .power)
        }
        #expect(try GrowthLawFit.fit(all, law: .exponential).exponent.value > 0)
    }

    @Test func standardErrorsAndRuns() throws {
        let csv = try Self.csv()
        // p_std = 0 at layer 0: an error inside the window, none once the window excludes it.
        expectInvalid(option: "stderr", value: "0", reasonContains: "at layer = 0 must be positive") {
            _ = try FitData(csv: csv, x: "layer", y: "p", standardError: "p_std")
        }
        let data = try FitData(csv: csv, x: "layer", y: "p", standardError: "p_std", runs: 4, from: 1)
        #expect(data.standardErrors == [0.05, 0.1, 0.2, 0.4, 0.8])
        expectInvalid(option: "runs", value: "0") {
            _ = try FitData(csv: csv, x: "layer", y: "p", standardError: "p_std", runs: 0, from: 1)
        }
        expectInvalid(option: "runs", value: "4", reasonContains: "--stderr") {
            _ = try FitData(csv: csv, x: "layer", y: "p", runs: 4)
        }
    }

    @Test func bootstrapArguments() throws {
        let csv = try Self.csv()
        let unweighted = try FitData(csv: csv, x: "layer", y: "p", from: 1)
        expectInvalid(option: "bootstrap", value: "100", reasonContains: "--stderr") {
            _ = try GrowthLawFit.report(unweighted, law: .law(.exponential), bootstrapReplicates: 100)
        }
        let weighted = try FitData(csv: csv, x: "layer", y: "p", standardError: "p_std", from: 1)
        expectInvalid(option: "bootstrap", value: "10", reasonContains: "at least 40") {
            _ = try GrowthLawFit.report(weighted, law: .law(.exponential), bootstrapReplicates: 10)
        }
    }

    @Test func mismatchedArrays() {
        expectInvalid(option: "y") { _ = try GrowthLawFit.fit(x: [1, 2, 3], y: [1, 2], law: .power) }
        expectInvalid(option: "y") { _ = try GrowthLawFit.fit(x: [], y: [], law: .power) }
        expectInvalid(option: "stderr") {
            _ = try GrowthLawFit.fit(x: [1, 2, 3], y: [1, 2, 3], law: .power, standardErrors: [1, 1])
        }
        expectInvalid(option: "y") { _ = try GrowthLawFit.fit(x: [1, 2, 3], y: [1, .nan, 3], law: .power) }
    }
}
