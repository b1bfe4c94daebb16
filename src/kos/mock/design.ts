import type { FastifyInstance } from 'fastify';
import { DESIGN_CODES, DESIGN_PATHS, type DesignBill, type DesignCode } from '../protocols/design.js';
import type { MockCase } from '../protocol.js';
import { dashed, mockBill, mockCustomer, type MockBill } from './billData.js';
import type { MockContext } from './context.js';

/** Our mock's data in the design's wire form (sequence kos-mock-요금조회): the charge, one discount string. */
function designBill(b: MockBill): DesignBill {
  return {
    productName: b.productName,
    contractInfo: b.contractInfo,
    billingMonth: b.billingMonth,
    charge: b.total,
    discountInfo: b.discounts.map((d) => `${d.name} ${d.amount}원`).join(', '),
    usage: { voice: b.usage.voice, data: b.usage.data },
    estimatedCancellationFee: b.cancellationFee,
    deviceInstallment: b.deviceInstallment,
    billingPaymentInfo: { billingDate: b.billingDate, paymentStatus: b.paid ? '완료' : '미납' },
  };
}

/** The design has no "inactive" code: a suspended line is unknown to it. */
const CODE_OF: Record<MockCase, DesignCode> = {
  ok: '0000',
  unknownLine: 'E001',
  inactiveLine: 'E001',
  noData: 'E002',
  systemError: 'E999',
};

const LINE = /^01[0-9]{9}$/;
const MONTH = /^[0-9]{4}(0[1-9]|1[0-2])$/;

/** `POST /kos/bill/inquiry` as the design's KOS, and `POST /kos/customer/info` (our extension). */
export function designRoutes(app: FastifyInstance, ctx: MockContext): void {
  const answer = (code: DesignCode, data: unknown = null) => ({
    resultCode: code,
    resultMessage: DESIGN_CODES[code].message,
    data,
  });

  app.post<{ Body: { lineNumber?: unknown; inquiryMonth?: unknown } }>(DESIGN_PATHS.bill, async (req, res) => {
    const { lineNumber, inquiryMonth } = req.body ?? {};
    if (
      typeof lineNumber !== 'string' ||
      !LINE.test(lineNumber) ||
      typeof inquiryMonth !== 'string' ||
      !MONTH.test(inquiryMonth)
    )
      return res.code(400).send(answer('E400'));
    const decided = await ctx.decide('bill', lineNumber, inquiryMonth);
    if (decided === 'httpError') return res.code(500).send({ error: 'internal error' });
    const code = CODE_OF[decided];
    return res
      .code(DESIGN_CODES[code].status)
      .send(answer(code, decided === 'ok' ? designBill(mockBill(lineNumber, inquiryMonth)) : null));
  });

  app.post<{ Body: { lineNumber?: unknown } }>(DESIGN_PATHS.customer, async (req, res) => {
    const { lineNumber } = req.body ?? {};
    if (typeof lineNumber !== 'string' || !LINE.test(lineNumber)) return res.code(400).send(answer('E400'));
    const decided = await ctx.decide('customer', lineNumber);
    if (decided === 'httpError') return res.code(500).send({ error: 'internal error' });
    if (decided === 'systemError') return res.code(500).send(answer('E999'));
    if (decided === 'unknownLine') return answer('E001');
    const c = mockCustomer(lineNumber);
    return answer('0000', {
      customerId: c.customerId,
      lineNumber: dashed(lineNumber),
      customerName: c.customerName,
      status: c.lineStatus === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
      operatorCode: c.operatorCode,
    });
  });
}
