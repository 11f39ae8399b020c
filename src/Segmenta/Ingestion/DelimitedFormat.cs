namespace Segmenta.Ingestion;

/// <summary>How a delimited text file is laid out. A null property means "detect it".</summary>
/// <param name="Delimiter">The field separator; <see cref="Whitespace"/> for runs of spaces and tabs.</param>
/// <param name="Header">Whether the first record names the columns.</param>
/// <param name="Columns">Column names for a file without a header.</param>
/// <param name="Quote">The quote character.</param>
/// <param name="Encoding">The text encoding's name (null: UTF-8, strictly: a record with a byte that is not UTF-8 is quarantined).</param>
public sealed record DelimitedFormat(char? Delimiter = null, bool Header = true, IReadOnlyList<string>? Columns = null, char Quote = '"', string? Encoding = null)
{
    /// <summary>Stands for "fields are separated by any run of spaces and tabs" (CDNOW's layout).</summary>
    public const char Whitespace = ' ';

    /// <summary>Parses the delimiter as written in a mapping file.</summary>
    public static bool TryParseDelimiter(string text, out char delimiter)
    {
        delimiter = text switch
        {
            "," or "comma" => ',',
            ";" or "semicolon" => ';',
            "\t" or "\\t" or "tab" => '\t',
            "|" or "pipe" => '|',
            "whitespace" or " " => Whitespace,
            _ => '\0',
        };
        return delimiter != '\0';
    }

    /// <summary>The delimiter as people write it.</summary>
    public static string Describe(char delimiter) => delimiter switch
    {
        '\t' => "tab",
        Whitespace => "whitespace",
        _ => delimiter.ToString(),
    };
}
