using System.Runtime.CompilerServices;
namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>The scalar dot product: the same integer sums as the vector paths, for CPUs without them.</summary>
internal static unsafe class DotPortable
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot1(byte* w, ushort* ws, QuantizedActivations a, int row)
    {
        sbyte* x = a.RowValues(row);
        int* offsets = a.RowOffsets(row);
        float* scales = a.RowScales(row);
        float acc = 0;
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            for (int j = 0; j < PackedWeight.GroupsPerBlock; j++)
            {
                byte* wg = w + b * PackedWeight.BlockStride + j * 16;
                sbyte* xg = x + b * 128 + j * 16;
                int sum = 0;
                for (int i = 0; i < 16; i++)
                    sum += (wg[i] & 0x0F) * xg[i] + (wg[i] >> 4) * xg[64 + i];
                int g = b * PackedWeight.GroupsPerBlock + j;
                sum += 4 * offsets[g * 4];
                float weightScale = PackedWeight.FromBFloat16(ws[PackedWeight.ScaleIndex(b, j)]);
                acc += sum * (weightScale * scales[g * 4]);
            }
        }
        return acc;
    }
}
