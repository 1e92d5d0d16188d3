; vdlt-spec obligation query stake-honest-intersection
(set-logic QF_LIA)
; benchmark generated from python API
(set-info :status unknown)
(declare-fun |size[Q1Q2B]| () Int)
(declare-fun |size[Q1Q2-]| () Int)
(declare-fun |size[Q1-B]| () Int)
(declare-fun |size[Q1--]| () Int)
(declare-fun |size[-Q2B]| () Int)
(declare-fun |size[-Q2-]| () Int)
(declare-fun |size[--B]| () Int)
(declare-fun |size[---]| () Int)
(declare-fun n () Int)
(declare-fun |stake[Q1Q2B]| () Int)
(declare-fun |stake[Q1Q2-]| () Int)
(declare-fun |stake[Q1-B]| () Int)
(declare-fun |stake[Q1--]| () Int)
(declare-fun |stake[-Q2B]| () Int)
(declare-fun |stake[-Q2-]| () Int)
(declare-fun |stake[--B]| () Int)
(declare-fun |stake[---]| () Int)
(assert
 (>= |size[Q1Q2B]| 0))
(assert
 (>= |size[Q1Q2-]| 0))
(assert
 (>= |size[Q1-B]| 0))
(assert
 (>= |size[Q1--]| 0))
(assert
 (>= |size[-Q2B]| 0))
(assert
 (>= |size[-Q2-]| 0))
(assert
 (>= |size[--B]| 0))
(assert
 (>= |size[---]| 0))
(assert
 (let ((?x51 (+ |size[Q1Q2B]| |size[Q1Q2-]| |size[Q1-B]| |size[Q1--]| |size[-Q2B]| |size[-Q2-]| |size[--B]| |size[---]|)))
 (= n ?x51)))
(assert
 (>= n 1))
(assert
 (>= |stake[Q1Q2B]| 0))
(assert
 (>= |stake[Q1Q2-]| 0))
(assert
 (>= |stake[Q1-B]| 0))
(assert
 (>= |stake[Q1--]| 0))
(assert
 (>= |stake[-Q2B]| 0))
(assert
 (>= |stake[-Q2-]| 0))
(assert
 (>= |stake[--B]| 0))
(assert
 (>= |stake[---]| 0))
(assert
 (let (($x106 (= |stake[Q1Q2B]| 0)))
 (let (($x97 (= |size[Q1Q2B]| 0)))
 (=> $x97 $x106))))
(assert
 (let (($x108 (= |stake[Q1Q2-]| 0)))
 (let (($x67 (= |size[Q1Q2-]| 0)))
 (=> $x67 $x108))))
(assert
 (let (($x105 (= |stake[Q1-B]| 0)))
 (let (($x104 (= |size[Q1-B]| 0)))
 (=> $x104 $x105))))
(assert
 (let (($x119 (= |stake[Q1--]| 0)))
 (let (($x95 (= |size[Q1--]| 0)))
 (=> $x95 $x119))))
(assert
 (let (($x111 (= |stake[-Q2B]| 0)))
 (let (($x114 (= |size[-Q2B]| 0)))
 (=> $x114 $x111))))
(assert
 (let (($x91 (= |stake[-Q2-]| 0)))
 (let (($x90 (= |size[-Q2-]| 0)))
 (=> $x90 $x91))))
(assert
 (let (($x100 (= |stake[--B]| 0)))
 (let (($x99 (= |size[--B]| 0)))
 (=> $x99 $x100))))
(assert
 (let (($x96 (= |stake[---]| 0)))
 (let (($x93 (= |size[---]| 0)))
 (=> $x93 $x96))))
(assert
 (let ((?x68 (+ |stake[Q1Q2B]| |stake[Q1Q2-]| |stake[Q1-B]| |stake[Q1--]| |stake[-Q2B]| |stake[-Q2-]| |stake[--B]| |stake[---]|)))
 (> ?x68 0)))
(assert
 (let ((?x68 (+ |stake[Q1Q2B]| |stake[Q1Q2-]| |stake[Q1-B]| |stake[Q1--]| |stake[-Q2B]| |stake[-Q2-]| |stake[--B]| |stake[---]|)))
 (let ((?x69 (* 2 ?x68)))
 (> (* 3 (+ |stake[Q1Q2B]| |stake[Q1Q2-]| |stake[Q1-B]| |stake[Q1--]|)) ?x69))))
(assert
 (let ((?x68 (+ |stake[Q1Q2B]| |stake[Q1Q2-]| |stake[Q1-B]| |stake[Q1--]| |stake[-Q2B]| |stake[-Q2-]| |stake[--B]| |stake[---]|)))
 (let ((?x69 (* 2 ?x68)))
 (> (* 3 (+ |stake[Q1Q2B]| |stake[Q1Q2-]| |stake[-Q2B]| |stake[-Q2-]|)) ?x69))))
(assert
 (let ((?x68 (+ |stake[Q1Q2B]| |stake[Q1Q2-]| |stake[Q1-B]| |stake[Q1--]| |stake[-Q2B]| |stake[-Q2-]| |stake[--B]| |stake[---]|)))
 (< (* 3 (+ |stake[Q1Q2B]| |stake[Q1-B]| |stake[-Q2B]| |stake[--B]|)) ?x68)))
(assert
 (= |size[Q1Q2-]| 0))
(check-sat)
