import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MeanFieldIO
import Testing

/// Checks that files are what their names say: PNG (signature and IHDR size), SVG (XML with
/// an <svg> root), CSV and JSON (parse).
enum OutputChecks {
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Width and height from the IHDR chunk, which must come first.
    static func pngSize(_ path: String) throws -> (width: Int, height: Int) {
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path), "\(path) missing"))
        try #require(bytes.count > 33, "\(path): too short for a PNG")
        #expect(Array(bytes[0..<8]) == pngSignature, "\(path): no PNG signature")
        #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR", "\(path): first chunk is not IHDR")
        func bigEndian(_ offset: Int) -> Int { bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (bigEndian(16), bigEndian(20))
    }

    final class RootElement: NSObject, XMLParserDelegate {
        var name: String?
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            if name == nil { name = elementName }
        }
    }

    static func checkSVG(_ path: String) throws {
        let data = try #require(FileManager.default.contents(atPath: path), "\(path) missing")
        let parser = XMLParser(data: data)
        let root = RootElement()
        parser.delegate = root
        #expect(parser.parse(), "\(path) is not well-formed XML: \(String(describing: parser.parserError))")
        #expect(root.name == "svg", "\(path): root element \(root.name ?? "none")")
    }

    @discardableResult
    static func checkCSV(_ path: String, columns: [String]? = nil) throws -> CSVData {
        let csv = try CSVData(contentsOf: path)
        if let columns { #expect(csv.columnNames == columns, "\(path): columns \(csv.columnNames)") }
        #expect(!csv.rows.isEmpty, "\(path) has no rows")
        return csv
    }

    static func checkJSON(_ path: String) throws -> JSONValue {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try JSONValue.parse(text)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

enum TestSettings {
    /// Slow checks run only with MEANFIELD_SLOW_TESTS=1 (CI sets it).
    static let slow = ProcessInfo.processInfo.environment["MEANFIELD_SLOW_TESTS"] == "1"
}
