using GemmaBench.Model;
using TorchSharp;

namespace GemmaBench.Tests.Model;

/// <summary>bfloat16 compute drifts from the float32 references; this pins how far, so a regression (a wrong
/// cast, a lost normalizer rounding) shows up as a jump.</summary>
public class Bfloat16DriftTests
{
    [Theory]
    [InlineData("tiny")]
    [InlineData("tiny-scaled")]
    [InlineData("tiny-odd")]
    public void Bfloat16LogitsStayNearTheFloat32Reference(string checkpoint)
    {
        var expected = ExpectedCase.Load(checkpoint, "B");
        using var model = GemmaModel.Load(TestPaths.Checkpoint(checkpoint), torch.ScalarType.BFloat16);
        using var cache = model.CreateCache(expected.InputIds.Length);

        using var logits = model.Prefill(expected.InputIds, cache).to(torch.ScalarType.Float32);

        float worst = (logits - torch.tensor(expected.LastLogits)).abs().max().item<float>();
        Assert.True(worst < 0.1f, $"bfloat16 logits drift by {worst}");
    }
}
