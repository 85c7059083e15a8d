module {
  func.func @block_attnres(%emb: tensor<4x16xf32>, %queries: tensor<13x16xf32>, %W: tensor<12x16x16xf32>, %g: tensor<12x16xf32>) -> (tensor<4x16xf32>) {
    %zero = arith.constant 0.0 : f32
    // Block AttnRes: 12 sublayers, block size 4, d = 16, f32
    // sublayer 0 (block 1): sources [%emb]
    %g_1 = tensor.extract_slice %g[0, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_2 = attnres.rms_norm %emb, %g_1 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_3 = tensor.extract_slice %W[0, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_4 = tensor.empty() : tensor<4x16xf32>
    %zeros_5 = linalg.fill ins(%zero : f32) outs(%empty_4 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_6 = linalg.matmul ins(%n_2, %W_3 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_5 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_7 = tensor.empty() : tensor<4x16xf32>
    %f_8 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_6 : tensor<4x16xf32>) outs(%empty_7 : tensor<4x16xf32>) {
    ^bb0(%in_9: f32, %out_10: f32):
      %t_11 = math.tanh %in_9 : f32
      linalg.yield %t_11 : f32
    } -> tensor<4x16xf32>
    // sublayer 1 (block 1): sources [%emb, %f_8]
    %queries_12 = tensor.extract_slice %queries[1, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_13 = attnres.depth_attn %queries_12, [%emb, %f_8] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_14 = tensor.extract_slice %g[1, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_15 = attnres.rms_norm %h_13, %g_14 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_16 = tensor.extract_slice %W[1, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_17 = tensor.empty() : tensor<4x16xf32>
    %zeros_18 = linalg.fill ins(%zero : f32) outs(%empty_17 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_19 = linalg.matmul ins(%n_15, %W_16 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_18 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_20 = tensor.empty() : tensor<4x16xf32>
    %f_21 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_19 : tensor<4x16xf32>) outs(%empty_20 : tensor<4x16xf32>) {
    ^bb0(%in_22: f32, %out_23: f32):
      %t_24 = math.tanh %in_22 : f32
      linalg.yield %t_24 : f32
    } -> tensor<4x16xf32>
    %p_25 = attnres.block_summary [%f_8, %f_21] : tensor<4x16xf32>
    // sublayer 2 (block 1): sources [%emb, %p_25]
    %queries_26 = tensor.extract_slice %queries[2, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_27 = attnres.depth_attn %queries_26, [%emb, %p_25] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_28 = tensor.extract_slice %g[2, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_29 = attnres.rms_norm %h_27, %g_28 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_30 = tensor.extract_slice %W[2, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_31 = tensor.empty() : tensor<4x16xf32>
    %zeros_32 = linalg.fill ins(%zero : f32) outs(%empty_31 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_33 = linalg.matmul ins(%n_29, %W_30 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_32 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_34 = tensor.empty() : tensor<4x16xf32>
    %f_35 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_33 : tensor<4x16xf32>) outs(%empty_34 : tensor<4x16xf32>) {
    ^bb0(%in_36: f32, %out_37: f32):
      %t_38 = math.tanh %in_36 : f32
      linalg.yield %t_38 : f32
    } -> tensor<4x16xf32>
    %p_39 = attnres.block_summary [%f_8, %f_21, %f_35] : tensor<4x16xf32>
    // sublayer 3 (block 1): sources [%emb, %p_39]
    %queries_40 = tensor.extract_slice %queries[3, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_41 = attnres.depth_attn %queries_40, [%emb, %p_39] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_42 = tensor.extract_slice %g[3, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_43 = attnres.rms_norm %h_41, %g_42 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_44 = tensor.extract_slice %W[3, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_45 = tensor.empty() : tensor<4x16xf32>
    %zeros_46 = linalg.fill ins(%zero : f32) outs(%empty_45 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_47 = linalg.matmul ins(%n_43, %W_44 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_46 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_48 = tensor.empty() : tensor<4x16xf32>
    %f_49 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_47 : tensor<4x16xf32>) outs(%empty_48 : tensor<4x16xf32>) {
    ^bb0(%in_50: f32, %out_51: f32):
      %t_52 = math.tanh %in_50 : f32
      linalg.yield %t_52 : f32
    } -> tensor<4x16xf32>
    %b_53 = attnres.block_summary [%f_8, %f_21, %f_35, %f_49] : tensor<4x16xf32>
    // sublayer 4 (block 2): sources [%emb, %b_53]
    %queries_54 = tensor.extract_slice %queries[4, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_55 = attnres.depth_attn %queries_54, [%emb, %b_53] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_56 = tensor.extract_slice %g[4, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_57 = attnres.rms_norm %h_55, %g_56 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_58 = tensor.extract_slice %W[4, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_59 = tensor.empty() : tensor<4x16xf32>
    %zeros_60 = linalg.fill ins(%zero : f32) outs(%empty_59 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_61 = linalg.matmul ins(%n_57, %W_58 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_60 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_62 = tensor.empty() : tensor<4x16xf32>
    %f_63 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_61 : tensor<4x16xf32>) outs(%empty_62 : tensor<4x16xf32>) {
    ^bb0(%in_64: f32, %out_65: f32):
      %t_66 = math.tanh %in_64 : f32
      linalg.yield %t_66 : f32
    } -> tensor<4x16xf32>
    // sublayer 5 (block 2): sources [%emb, %b_53, %f_63]
    %queries_67 = tensor.extract_slice %queries[5, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_68 = attnres.depth_attn %queries_67, [%emb, %b_53, %f_63] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_69 = tensor.extract_slice %g[5, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_70 = attnres.rms_norm %h_68, %g_69 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_71 = tensor.extract_slice %W[5, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_72 = tensor.empty() : tensor<4x16xf32>
    %zeros_73 = linalg.fill ins(%zero : f32) outs(%empty_72 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_74 = linalg.matmul ins(%n_70, %W_71 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_73 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_75 = tensor.empty() : tensor<4x16xf32>
    %f_76 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_74 : tensor<4x16xf32>) outs(%empty_75 : tensor<4x16xf32>) {
    ^bb0(%in_77: f32, %out_78: f32):
      %t_79 = math.tanh %in_77 : f32
      linalg.yield %t_79 : f32
    } -> tensor<4x16xf32>
    %p_80 = attnres.block_summary [%f_63, %f_76] : tensor<4x16xf32>
    // sublayer 6 (block 2): sources [%emb, %b_53, %p_80]
    %queries_81 = tensor.extract_slice %queries[6, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_82 = attnres.depth_attn %queries_81, [%emb, %b_53, %p_80] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_83 = tensor.extract_slice %g[6, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_84 = attnres.rms_norm %h_82, %g_83 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_85 = tensor.extract_slice %W[6, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_86 = tensor.empty() : tensor<4x16xf32>
    %zeros_87 = linalg.fill ins(%zero : f32) outs(%empty_86 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_88 = linalg.matmul ins(%n_84, %W_85 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_87 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_89 = tensor.empty() : tensor<4x16xf32>
    %f_90 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_88 : tensor<4x16xf32>) outs(%empty_89 : tensor<4x16xf32>) {
    ^bb0(%in_91: f32, %out_92: f32):
      %t_93 = math.tanh %in_91 : f32
      linalg.yield %t_93 : f32
    } -> tensor<4x16xf32>
    %p_94 = attnres.block_summary [%f_63, %f_76, %f_90] : tensor<4x16xf32>
    // sublayer 7 (block 2): sources [%emb, %b_53, %p_94]
    %queries_95 = tensor.extract_slice %queries[7, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_96 = attnres.depth_attn %queries_95, [%emb, %b_53, %p_94] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_97 = tensor.extract_slice %g[7, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_98 = attnres.rms_norm %h_96, %g_97 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_99 = tensor.extract_slice %W[7, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_100 = tensor.empty() : tensor<4x16xf32>
    %zeros_101 = linalg.fill ins(%zero : f32) outs(%empty_100 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_102 = linalg.matmul ins(%n_98, %W_99 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_101 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_103 = tensor.empty() : tensor<4x16xf32>
    %f_104 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_102 : tensor<4x16xf32>) outs(%empty_103 : tensor<4x16xf32>) {
    ^bb0(%in_105: f32, %out_106: f32):
      %t_107 = math.tanh %in_105 : f32
      linalg.yield %t_107 : f32
    } -> tensor<4x16xf32>
    %b_108 = attnres.block_summary [%f_63, %f_76, %f_90, %f_104] : tensor<4x16xf32>
    // sublayer 8 (block 3): sources [%emb, %b_53, %b_108]
    %queries_109 = tensor.extract_slice %queries[8, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_110 = attnres.depth_attn %queries_109, [%emb, %b_53, %b_108] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_111 = tensor.extract_slice %g[8, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_112 = attnres.rms_norm %h_110, %g_111 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_113 = tensor.extract_slice %W[8, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_114 = tensor.empty() : tensor<4x16xf32>
    %zeros_115 = linalg.fill ins(%zero : f32) outs(%empty_114 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_116 = linalg.matmul ins(%n_112, %W_113 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_115 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_117 = tensor.empty() : tensor<4x16xf32>
    %f_118 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_116 : tensor<4x16xf32>) outs(%empty_117 : tensor<4x16xf32>) {
    ^bb0(%in_119: f32, %out_120: f32):
      %t_121 = math.tanh %in_119 : f32
      linalg.yield %t_121 : f32
    } -> tensor<4x16xf32>
    // sublayer 9 (block 3): sources [%emb, %b_53, %b_108, %f_118]
    %queries_122 = tensor.extract_slice %queries[9, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_123 = attnres.depth_attn %queries_122, [%emb, %b_53, %b_108, %f_118] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_124 = tensor.extract_slice %g[9, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    // A frontend lost the static hidden size of this one sublayer input:
    %h_dyn = tensor.cast %h_123 : tensor<4x16xf32> to tensor<4x?xf32>
    %g_dyn = tensor.cast %g_124 : tensor<16xf32> to tensor<?xf32>
    %n_dyn = attnres.rms_norm %h_dyn, %g_dyn {eps = 1.0e-05 : f32} : tensor<4x?xf32>, tensor<?xf32>
    %n_125 = tensor.cast %n_dyn : tensor<4x?xf32> to tensor<4x16xf32>
    %W_126 = tensor.extract_slice %W[9, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_127 = tensor.empty() : tensor<4x16xf32>
    %zeros_128 = linalg.fill ins(%zero : f32) outs(%empty_127 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_129 = linalg.matmul ins(%n_125, %W_126 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_128 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_130 = tensor.empty() : tensor<4x16xf32>
    %f_131 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_129 : tensor<4x16xf32>) outs(%empty_130 : tensor<4x16xf32>) {
    ^bb0(%in_132: f32, %out_133: f32):
      %t_134 = math.tanh %in_132 : f32
      linalg.yield %t_134 : f32
    } -> tensor<4x16xf32>
    %p_135 = attnres.block_summary [%f_118, %f_131] : tensor<4x16xf32>
    // sublayer 10 (block 3): sources [%emb, %b_53, %b_108, %p_135]
    %queries_136 = tensor.extract_slice %queries[10, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_137 = attnres.depth_attn %queries_136, [%emb, %b_53, %b_108, %p_135] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_138 = tensor.extract_slice %g[10, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_139 = attnres.rms_norm %h_137, %g_138 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_140 = tensor.extract_slice %W[10, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_141 = tensor.empty() : tensor<4x16xf32>
    %zeros_142 = linalg.fill ins(%zero : f32) outs(%empty_141 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_143 = linalg.matmul ins(%n_139, %W_140 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_142 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_144 = tensor.empty() : tensor<4x16xf32>
    %f_145 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_143 : tensor<4x16xf32>) outs(%empty_144 : tensor<4x16xf32>) {
    ^bb0(%in_146: f32, %out_147: f32):
      %t_148 = math.tanh %in_146 : f32
      linalg.yield %t_148 : f32
    } -> tensor<4x16xf32>
    %p_149 = attnres.block_summary [%f_118, %f_131, %f_145] : tensor<4x16xf32>
    // sublayer 11 (block 3): sources [%emb, %b_53, %b_108, %p_149]
    %queries_150 = tensor.extract_slice %queries[11, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_151 = attnres.depth_attn %queries_150, [%emb, %b_53, %b_108, %p_149] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    %g_152 = tensor.extract_slice %g[11, 0] [1, 16] [1, 1] : tensor<12x16xf32> to tensor<16xf32>
    %n_153 = attnres.rms_norm %h_151, %g_152 {eps = 1.0e-05 : f32} : tensor<4x16xf32>, tensor<16xf32>
    %W_154 = tensor.extract_slice %W[11, 0, 0] [1, 16, 16] [1, 1, 1] : tensor<12x16x16xf32> to tensor<16x16xf32>
    %empty_155 = tensor.empty() : tensor<4x16xf32>
    %zeros_156 = linalg.fill ins(%zero : f32) outs(%empty_155 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %mm_157 = linalg.matmul ins(%n_153, %W_154 : tensor<4x16xf32>, tensor<16x16xf32>) outs(%zeros_156 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %empty_158 = tensor.empty() : tensor<4x16xf32>
    %f_159 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%mm_157 : tensor<4x16xf32>) outs(%empty_158 : tensor<4x16xf32>) {
    ^bb0(%in_160: f32, %out_161: f32):
      %t_162 = math.tanh %in_160 : f32
      linalg.yield %t_162 : f32
    } -> tensor<4x16xf32>
    %b_163 = attnres.block_summary [%f_118, %f_131, %f_145, %f_159] : tensor<4x16xf32>
    // output site: sources [%emb, %b_53, %b_108, %b_163]
    %queries_164 = tensor.extract_slice %queries[12, 0] [1, 16] [1, 1] : tensor<13x16xf32> to tensor<16xf32>
    %h_165 = attnres.depth_attn %queries_164, [%emb, %b_53, %b_108, %b_163] {eps = 1.0e-05 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
    return %h_165 : tensor<4x16xf32>
  }
}
