using System.Text;
using GemmaBench.Model;
using GemmaBench.Model.Checkpoint;
using TorchSharp;

namespace GemmaBench.Tests.Model;

/// <summary>Hostile safetensors files are refused with one message naming the file and the tensor.</summary>
public class SafetensorsHeaderTests
{
    const string Good = """{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""";

    static string WriteFile(TempDirectory dir, string header, int dataBytes, ulong? declaredLength = null)
    {
        string path = dir.File("model.safetensors");
        byte[] json = Encoding.UTF8.GetBytes(header);
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes(declaredLength ?? (ulong)json.Length));
        stream.Write(json);
        stream.Write(new byte[dataBytes]);
        return path;
    }

    static string Refusal(string header, int dataBytes, ulong? declaredLength = null)
    {
        using var dir = new TempDirectory();
        string path = WriteFile(dir, header, dataBytes, declaredLength);
        var e = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.StartsWith(path + ": ", e.Message);
        return e.Message;
    }

    [Fact]
    public void ValidFileIsReadAsAMappedView()
    {
        using var dir = new TempDirectory();
        string path = WriteFile(dir, Good, 16);
        using var file = SafetensorsFile.Open(path);

        using var tensor = file.Get("a");

        Assert.Equal(new long[] { 2, 2 }, tensor.shape);
        Assert.Equal(torch.ScalarType.Float32, tensor.dtype);
        Assert.Equal(0f, tensor.sum().item<float>());
    }

    [Fact]
    public void TensorAtAnUnalignedOffsetIsReadCorrectly()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        byte[] header = Encoding.UTF8.GetBytes(Good + " ");
        Assert.Equal(2, (8 + header.Length) % 4);
        using (var stream = File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((ulong)header.Length));
            stream.Write(header);
            foreach (float v in new[] { 1.5f, -2f, 3.25f, 4f })
                stream.Write(BitConverter.GetBytes(v));
        }
        using var file = SafetensorsFile.Open(path);

        using var tensor = file.Get("a");

        Assert.Equal(new[] { 1.5f, -2f, 3.25f, 4f }, tensor.data<float>().ToArray());
    }

    [Fact]
    public void FileShorterThanTheLengthFieldIsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        var e = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));

        Assert.Contains("too short", e.Message);
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRefused() =>
        Assert.Contains("header length 4096 does not fit the file", Refusal(Good, 16, declaredLength: 4096));

    [Fact]
    public void HeaderThatIsNotJsonIsRefused() =>
        Assert.Contains("header is not valid JSON", Refusal("{\"a\": [", 16));

    [Fact]
    public void OffsetsPastTheDataSectionAreRefused() =>
        Assert.Contains("tensor 'a' has data_offsets [0, 16] outside the data section (8 bytes)", Refusal(Good, 8));

    [Fact]
    public void ShapeNotMatchingTheByteRangeIsRefused() => Assert.Contains(
        "tensor 'a' has shape [2, 3] and dtype F32 (24 bytes) but data_offsets [0, 16] span 16 bytes",
        Refusal("""{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}""", 16));

    [Fact]
    public void OverlappingTensorsAreRefused() => Assert.Contains(
        "tensor 'b' overlaps tensor 'a'",
        Refusal("""
            {"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},
             "b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}
            """, 16));

    [Fact]
    public void DuplicateTensorNamesAreRefused() => Assert.Contains(
        "tensor 'a' is listed twice",
        Refusal("""
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
             "a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}
            """, 16));

    [Fact]
    public void UnknownDtypeIsRefused() => Assert.Contains(
        "tensor 'a' has dtype 'I8', which is not supported (F32, BF16, F16)",
        Refusal("""{"a":{"dtype":"I8","shape":[16],"data_offsets":[0,16]}}""", 16));

    [Fact]
    public void NegativeDimensionIsRefused() => Assert.Contains(
        "tensor 'a' has shape entry -4, not a non-negative integer",
        Refusal("""{"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}""", 16));

    [Fact]
    public void HugeShapeThatOverflowsIsRefused() => Assert.Contains(
        "tensor 'a' has shape [4611686018427387904, 4], too large",
        Refusal("""{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}""", 16));

    [Fact]
    public void HostileFileMakesModelLoadFailWithCheckpointError()
    {
        using var dir = new TempDirectory();
        foreach (string f in new[] { "config.json", "generation_config.json" })
            File.Copy(Path.Combine(TestPaths.Checkpoint("tiny"), f), dir.File(f));
        WriteFile(dir, Good, 8);

        var e = Assert.Throws<CheckpointException>(() => GemmaModel.Load(dir.Path, torch.ScalarType.Float32));

        Assert.Contains("model.safetensors: tensor 'a' has data_offsets", e.Message);
    }
}
