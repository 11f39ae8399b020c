using Segmenta.Model;

namespace Segmenta.Ingestion;

/// <summary>
/// A CSV file of events or customers that a warehouse with its own parallel CSV reader (DuckDB) may load itself, because every
/// loaded column is read by name from one file column with no conversion beyond what SQL reproduces exactly. The
/// warehouse accepts a row only where it is sure that the row-by-row path (<see cref="RecordConverter"/>) would load
/// the same values; at the first row it is not sure of (a malformed record, a value in another format, an unknown event
/// type, a control character), the whole attempt is rolled back and the file is loaded row by row, which quarantines
/// with line and reason. So the result is the same either way; only the time differs (docs/ingestion.md).
/// </summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Delimiter">The field separator (never whitespace-separated columns).</param>
/// <param name="Quote">The quote character (a quote inside a quoted field is doubled).</param>
/// <param name="Header">Whether the first record names the columns (it is skipped).</param>
/// <param name="FileColumns">The file's columns in file order, as the row-by-row reader names them.</param>
/// <param name="Columns">The loaded columns, each with the file column it comes from.</param>
/// <param name="EventTypes">The event types the workspace accepts (events).</param>
/// <param name="ConsentTypes">The accepted event types that need a channel (events).</param>
/// <param name="UserIdFrom">The loaded column the events' <c>user_id</c> copies (the user id is the customer id); null for customers.</param>
public sealed record BulkCsvPlan(
    string Path,
    char Delimiter,
    char Quote,
    bool Header,
    IReadOnlyList<string> FileColumns,
    IReadOnlyList<BulkColumn> Columns,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> ConsentTypes,
    string? UserIdFrom)
{
    /// <summary>
    /// Whether every quote in the file opens a field right after a delimiter or line break and closes it right before
    /// one (doubled inside). Only then do DuckDB's reader and Segmenta's read the same values: DuckDB drops the spaces
    /// around a quoted field (<c>a, "x"</c> gives <c>x</c>) where Segmenta keeps the text as written or quarantines the
    /// record, and the values SQL sees cannot show the difference. A scan of the bytes for the quote character: fast,
    /// as most files have few quotes or none.
    /// </summary>
    public bool HasPlainQuoting()
    {
        if (Quote > 0x7F || Delimiter > 0x7F)
        {
            return false;
        }

        byte quote = (byte)Quote, delimiter = (byte)Delimiter;
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        var inQuote = false;
        var pendingQuote = false;   // a quote inside a quoted field was the last byte of a block: a doubled quote or the end
        byte previous = (byte)'\n';
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var block = buffer.AsSpan(0, read);
            var at = 0;
            if (pendingQuote)
            {
                pendingQuote = false;
                if (block[0] == quote)
                {
                    at = 1;     // doubled: still inside
                }
                else if (!IsBoundary(block[0], delimiter))
                {
                    return false;
                }
                else
                {
                    inQuote = false;
                }
            }

            while (at < block.Length)
            {
                var found = block[at..].IndexOf(quote);
                if (found < 0)
                {
                    break;
                }

                var i = at + found;
                if (!inQuote)
                {
                    if (!IsBoundary(i == 0 ? previous : block[i - 1], delimiter))
                    {
                        return false;
                    }

                    inQuote = true;
                    at = i + 1;
                }
                else if (i + 1 == block.Length)
                {
                    pendingQuote = true;
                    at = i + 1;
                }
                else if (block[i + 1] == quote)
                {
                    at = i + 2;
                }
                else if (!IsBoundary(block[i + 1], delimiter))
                {
                    return false;
                }
                else
                {
                    inQuote = false;
                    at = i + 1;
                }
            }

            previous = block[^1];
        }

        // A quote closing the last field of a file without a final line break is a boundary too.
        return !inQuote || pendingQuote;
    }

    private static bool IsBoundary(byte b, byte delimiter) => b == delimiter || b == (byte)'\n' || b == (byte)'\r';
}

/// <summary>One loaded column of a <see cref="BulkCsvPlan"/>.</summary>
/// <param name="Field">The column loaded, with its type.</param>
/// <param name="Source">The file column it is read from.</param>
/// <param name="Required">Whether a row must have a value (else the row-by-row path quarantines it).</param>
/// <param name="Identifier">Whether the value is an id (no control characters: <see cref="StoredText"/>).</param>
/// <param name="Trimmed">Whether the row-by-row path trims the value (then only values with nothing to trim are accepted).</param>
public sealed record BulkColumn(FieldDefinition Field, string Source, bool Required, bool Identifier, bool Trimmed);
