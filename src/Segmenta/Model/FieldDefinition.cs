namespace Segmenta.Model;

/// <summary>A column of a canonical table: its name, type and whether it was declared by a mapping.</summary>
/// <param name="Name">The column name (lower snake case).</param>
/// <param name="Type">The value type.</param>
/// <param name="Declared">True for extra traits and event properties declared by a mapping; false for canonical ones.</param>
public sealed record FieldDefinition(string Name, FieldType Type, bool Declared = false);
