namespace Segmenta.Configuration;

/// <summary>A mistake in a workspace or mapping file, with the position it was found at.</summary>
public sealed class ConfigurationException : SegmentaException
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationException(string file, int line, int column, string problem)
        : base(line > 0 ? $"{file}:{line}:{column}: {problem}" : $"{file}: {problem}", FailureKind.BadInput)
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file that holds the mistake.</summary>
    public string File { get; }

    /// <summary>1-based line, or 0 when the whole file is at fault.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0 when the whole file is at fault.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; }
}
