using System.Text.Json;

namespace GemmaBench.Model;

/// <summary>Typed access to one JSON object of a config file, with errors naming the file and field.
/// A field holding JSON null counts as absent.</summary>
sealed class ConfigFields(JsonElement obj, string path)
{
    public bool Has(string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement Element(string name) => obj.GetProperty(name);

    public int Int(string name, int? fallback = null)
    {
        if (!Has(name))
            return fallback ?? throw Missing(name);
        var v = obj.GetProperty(name);
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i))
            return i;
        throw new ModelException($"{path}: field {name} must be an integer, got {v.GetRawText()}.");
    }

    public double Double(string name, double? fallback = null)
    {
        if (!Has(name))
            return fallback ?? throw Missing(name);
        var v = obj.GetProperty(name);
        if (v.ValueKind == JsonValueKind.Number)
            return v.GetDouble();
        throw new ModelException($"{path}: field {name} must be a number, got {v.GetRawText()}.");
    }

    public string? String(string name) =>
        Has(name) && obj.GetProperty(name).ValueKind == JsonValueKind.String ? obj.GetProperty(name).GetString() : null;

    ModelException Missing(string name) =>
        new($"{path}: required field {name} is missing.");
}
