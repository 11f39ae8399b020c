namespace Segmenta.Ingestion;

/// <summary>
/// An ingest cannot start: a missing file, a mapping that does not fit the source, an unknown column.
/// Raised before anything is written; the message is one line that says what and where.
/// </summary>
public sealed class IngestSetupException(string message) : SegmentaException(message, FailureKind.BadInput);
