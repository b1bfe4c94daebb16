import assert from 'node:assert/strict';
import { test } from 'node:test';
import { designBillInfo, designAdapter } from '../../src/kos/protocols/design.js';
import { amount, date, discounts, month, paymentStatus } from '../../src/kos/protocols/fields.js';
import { phonebillBillInfo, phonebillKosMockAdapter } from '../../src/kos/protocols/phonebillKosMock.js';

test("the design's discount string becomes [{name, amount}]", () => {
  assert.deepEqual(discounts('가족할인 10000원'), [{ name: '가족할인', amount: 10_000 }]);
  assert.deepEqual(discounts('가족할인 10,000원, 온라인할인 5000원'), [
    { name: '가족할인', amount: 10_000 },
    { name: '온라인할인', amount: 5_000 },
  ]);
  assert.deepEqual(discounts('가족할인10000원 / 선택약정할인 (24개월) -3000원'), [
    { name: '가족할인', amount: 10_000 },
    { name: '선택약정할인 (24개월)', amount: 3_000 },
  ]);
  assert.deepEqual(discounts('장기고객 우대'), [{ name: '장기고객 우대', amount: 0 }], 'no amount: text kept');
  assert.deepEqual(discounts(''), []);
  assert.deepEqual(discounts(null), []);
  assert.deepEqual(discounts([{ name: '가족할인', amount: 1000 }]), [{ name: '가족할인', amount: 1000 }]);
});

test('months, dates, amounts and payment statuses in the forms KOS sends', () => {
  assert.equal(month('202412'), '2024-12');
  assert.equal(month('2024-12'), '2024-12');
  assert.equal(month('202413'), undefined);
  assert.equal(date('20241225'), '2024-12-25');
  assert.equal(date('2024-12-25'), '2024-12-25');
  assert.equal(date('2024-12'), undefined);
  assert.equal(amount(75000), 75_000);
  assert.equal(amount(75000.4), 75_000, 'BigDecimal → integer won');
  assert.equal(amount('75,000원'), 75_000);
  assert.equal(amount(undefined), 0);
  assert.deepEqual(['완료', '미납', '연체', 'PAID', 'CONFIRMED', 'PENDING', 'OVERDUE', undefined].map(paymentStatus), [
    'PAID',
    'UNPAID',
    'OVERDUE',
    'PAID',
    'UNPAID',
    'UNPAID',
    'OVERDUE',
    'UNPAID',
  ]);
});

test('the design example bill maps into BillInfo with the documented defaults', () => {
  // The sequence diagram's own example (bill-KOS연동).
  const example = {
    productName: '5G 프리미엄',
    contractInfo: '24개월 약정',
    billingMonth: '202412',
    charge: 75000,
    discountInfo: '가족할인 10000원',
    usage: { voice: '250분', data: '20GB' },
    estimatedCancellationFee: 120000,
    deviceInstallment: 35000,
    billingPaymentInfo: { billingDate: '2024-12-25', paymentStatus: '완료' },
  };
  assert.deepEqual(designBillInfo(example), {
    productName: '5G 프리미엄',
    contractInfo: '24개월 약정',
    billingMonth: '2024-12',
    totalAmount: 75_000,
    discountInfo: [{ name: '가족할인', amount: 10_000 }],
    usage: { voice: '250분', sms: '', data: '20GB' },
    terminationFee: 120_000,
    deviceInstallment: 35_000,
    paymentInfo: { billingDate: '2024-12-25', paymentStatus: 'PAID', paymentMethod: '' },
  });
  const bare = designBillInfo({ productName: 'P', billingMonth: '202412', charge: 1 });
  assert.deepEqual(bare, {
    productName: 'P',
    contractInfo: '',
    billingMonth: '2024-12',
    totalAmount: 1,
    discountInfo: [],
    usage: { voice: '', sms: '', data: '' },
    terminationFee: 0,
    deviceInstallment: 0,
  });
  assert.equal(designBillInfo({ productName: 'P', billingMonth: '202412' }), undefined, 'no charge: unreadable');
});

test("the design's result codes: answers, refusals and failures", () => {
  const read = (status: number, body: unknown) => designAdapter.readBill({ status, body }, '01012345678').kind;
  assert.equal(read(200, { resultCode: 'E001', resultMessage: 'x', data: null }), 'unknownLine');
  assert.equal(read(404, { resultCode: 'E001' }), 'unknownLine', 'by code, whatever the HTTP status');
  assert.equal(read(200, { resultCode: 'E002' }), 'noData');
  assert.equal(read(400, { resultCode: 'E400' }), 'badRequest');
  assert.equal(read(500, { resultCode: 'E999' }), 'systemError');
  assert.equal(read(200, { resultCode: 'E777' }), 'systemError', 'an unknown code is a failure');
  assert.equal(read(200, { resultCode: '0000', data: { productName: 'only a name' } }), 'systemError');
  assert.equal(read(502, undefined), 'systemError');
  assert.equal(read(404, undefined), 'badRequest');
});

/** A bill as phonebill's kos-mock sends it (KosBillInquiryResponse.BillInfo). */
const KOS_MOCK_BILL = {
  lineNumber: '01012345678',
  billingMonth: '202501',
  productCode: '5G-PREMIUM-001',
  productName: '5G 프리미엄 플랜',
  monthlyFee: 89000,
  usageFee: 15000,
  discountAmount: 5000,
  totalFee: 99000,
  dataUsage: '150GB',
  voiceUsage: '250분',
  smsUsage: '50건',
  billStatus: 'CONFIRMED',
  dueDate: '20250125',
};

test("the kos-mock's bill and result codes", () => {
  const billInfo = KOS_MOCK_BILL;
  assert.deepEqual(phonebillBillInfo(billInfo), {
    productName: '5G 프리미엄 플랜',
    contractInfo: '',
    billingMonth: '2025-01',
    totalAmount: 99_000,
    discountInfo: [{ name: '할인', amount: 5_000 }],
    usage: { voice: '250분', sms: '50건', data: '150GB' },
    terminationFee: 0,
    deviceInstallment: 0,
    paymentInfo: { billingDate: '2025-01-25', paymentStatus: 'UNPAID', paymentMethod: '' },
  });
  const read = (status: number, body: unknown) => phonebillKosMockAdapter.readBill({ status, body }, '01012345678');
  const ok = read(200, {
    success: true,
    resultCode: '0000',
    data: {
      requestId: 'R',
      resultCode: '0000',
      billInfo,
      customerInfo: { customerName: '김테스트', customerId: 'CUST000001', operatorCode: 'KT', lineStatus: 'ACTIVE' },
    },
  });
  assert.equal(ok.kind, 'bill');
  assert.deepEqual(ok.customer, {
    customerId: 'CUST000001',
    lineNumber: '010-1234-5678',
    customerName: '김테스트',
    status: 'ACTIVE',
    operatorCode: 'KT',
  });
  const kinds = ['1001', '1002', '1003', '9001', '9005', '9006', '9999', '8888'].map(
    (c) => read(200, { success: false, resultCode: c, data: null }).kind,
  );
  assert.deepEqual(kinds, [
    'unknownLine',
    'inactiveLine',
    'noData',
    'badRequest',
    'badRequest',
    'badRequest',
    'systemError',
    'systemError',
  ]);
  assert.deepEqual(
    phonebillKosMockAdapter.billRequest({
      digits: '01012345678',
      yyyymm: '202501',
      requestId: 'R',
      requestorId: 'BILL_SERVICE',
    }),
    {
      lineNumber: '01012345678',
      billingMonth: '202501',
      requestId: 'R',
      requestorId: 'BILL_SERVICE',
    },
  );
});

test('the kos-mock fields BillInfo has no place for survive in bill.detail: as sent (kos-mock), derived (design)', () => {
  const pb = phonebillKosMockAdapter.readBill(
    {
      status: 200,
      body: {
        success: true,
        resultCode: '0000',
        data: {
          billInfo: KOS_MOCK_BILL,
          customerInfo: {
            customerName: '김테스트',
            customerId: 'CUST000001',
            operatorCode: 'KT',
            lineStatus: 'SUSPENDED',
          },
        },
      },
    },
    '01012345678',
  );
  assert.deepEqual(pb.bill?.detail, {
    productCode: '5G-PREMIUM-001',
    monthlyFee: 89_000,
    usageFee: 15_000,
    discountAmount: 5_000,
    billStatus: 'CONFIRMED',
    dueDate: '20250125',
    customer: { customerName: '김테스트', customerId: 'CUST000001', operatorCode: 'KT', lineStatus: 'SUSPENDED' },
  });
  const design = designAdapter.readBill(
    {
      status: 200,
      body: {
        resultCode: '0000',
        data: {
          productName: '5G 프리미엄',
          billingMonth: '202412',
          charge: 75000,
          discountInfo: '가족할인 10000원',
          deviceInstallment: 35000,
          billingPaymentInfo: { billingDate: '2024-12-25', paymentStatus: '미납' },
        },
      },
    },
    '01012345678',
  );
  // 50,000 + 0 − 10,000 + 35,000 installment = the charge of 75,000.
  assert.deepEqual(design.bill?.detail, {
    productCode: '',
    monthlyFee: 50_000,
    usageFee: 0,
    discountAmount: 10_000,
    billStatus: 'CONFIRMED',
    dueDate: '20241225',
  });
});
